//! The staging of each kind of registry row: its staging table, how a row is written to the
//! COPY, and the statement that moves staged rows into the registry.

use std::pin::Pin;

use domain::registry::{Credit, CreditMovement, Employer, Person, RelationPeriod, Sex};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;

use super::staging::{Staged, Staging};

fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "M",
        Sex::Male => "H",
    }
}

impl Staged for Person {
    const STAGING: &'static Staging = &Staging {
        table: "staging_members",
        create: "CREATE TEMP TABLE staging_members (
                     ord bigint, nss text, curp text, rfc text, first_surname text,
                     second_surname text, given_names text, birth_date date, sex text,
                     state smallint) ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_members",
        copy: "COPY pg_temp.staging_members FROM STDIN (FORMAT binary)",
        types: &[
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::DATE,
            Type::TEXT,
            Type::INT2,
        ],
        // Ordered by position so ids are handed out in input order, as SQLite does; the
        // caller maps them back by NSS all the same.
        insert: "INSERT INTO members (nss, curp, rfc, first_surname, second_surname, given_names,
                                      birth_date, sex, state, batch_id)
                 SELECT nss, curp, rfc, first_surname, second_surname, given_names, birth_date,
                        sex, state, $1
                 FROM pg_temp.staging_members ORDER BY ord
                 RETURNING member_id, nss",
        post: None,
    };

    async fn write(
        &self,
        ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &ord,
            &self.nss.as_str(),
            &self.curp.as_str(),
            &self.rfc.as_str(),
            &self.first_surname,
            &self.second_surname,
            &self.given_names,
            &self.birth_date,
            &sex_code(self.sex),
            &i16::from(self.state.0),
        ])
        .await
    }
}

impl Staged for Employer {
    const STAGING: &'static Staging = &Staging {
        table: "staging_employers",
        create: "CREATE TEMP TABLE staging_employers (
                     nrp text, name text, state smallint, sector text) ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_employers",
        copy: "COPY pg_temp.staging_employers FROM STDIN (FORMAT binary)",
        types: &[Type::TEXT, Type::TEXT, Type::INT2, Type::TEXT],
        insert: "WITH ins AS (
                     INSERT INTO employers (nrp, name, state, sector, batch_id)
                     SELECT nrp, name, state, sector, $1 FROM pg_temp.staging_employers
                     ON CONFLICT DO NOTHING
                     RETURNING 1)
                 SELECT count(*) FROM ins",
        post: None,
    };

    async fn write(
        &self,
        _ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &self.nrp.as_str(),
            &self.name,
            &i16::from(self.state.0),
            &self.sector,
        ])
        .await
    }
}

impl Staged for RelationPeriod {
    const STAGING: &'static Staging = &Staging {
        table: "staging_relations",
        create: "CREATE TEMP TABLE staging_relations (
                     member_id bigint, nrp text, start_date date, wage_from date, end_date date,
                     daily_wage bigint) ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_relations",
        copy: "COPY pg_temp.staging_relations FROM STDIN (FORMAT binary)",
        types: &[
            Type::INT8,
            Type::TEXT,
            Type::DATE,
            Type::DATE,
            Type::DATE,
            Type::INT8,
        ],
        insert: "WITH ins AS (
                     INSERT INTO employment_periods
                         (member_id, nrp, start_date, wage_from, end_date, daily_wage, batch_id)
                     SELECT member_id, nrp, start_date, wage_from, end_date, daily_wage, $1
                     FROM pg_temp.staging_relations
                     ON CONFLICT DO NOTHING
                     RETURNING 1)
                 SELECT count(*) FROM ins",
        post: None,
    };

    async fn write(
        &self,
        _ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &self.member_id.0,
            &self.nrp.as_str(),
            &self.start_date,
            &self.wage_from,
            &self.end_date,
            &self.daily_wage.centavos(),
        ])
        .await
    }
}

impl Staged for Credit {
    const STAGING: &'static Staging = &Staging {
        table: "staging_credits",
        create: "CREATE TEMP TABLE staging_credits (
                     member_id bigint, credit_number text, product text, denomination text,
                     originated_on date, amount bigint, amount_vsm numeric, rate numeric,
                     term_months integer, status text) ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_credits",
        copy: "COPY pg_temp.staging_credits FROM STDIN (FORMAT binary)",
        types: &[
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::DATE,
            Type::INT8,
            Type::NUMERIC,
            Type::NUMERIC,
            Type::INT4,
            Type::TEXT,
        ],
        // Skips a credit whose number is taken, by this member or another (either key).
        insert: "WITH ins AS (
                     INSERT INTO credits (member_id, credit_number, product, denomination,
                                          originated_on, amount, amount_vsm, rate, term_months,
                                          status, balance, batch_id)
                     SELECT member_id, credit_number, product, denomination, originated_on,
                            amount, amount_vsm, rate, term_months, status, 0, $1
                     FROM pg_temp.staging_credits
                     ON CONFLICT DO NOTHING
                     RETURNING 1)
                 SELECT count(*) FROM ins",
        post: None,
    };

    async fn write(
        &self,
        _ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &self.member_id.0,
            &self.credit_number.as_str(),
            &self.product.code(),
            &self.denomination.code(),
            &self.originated_on,
            &self.amount.centavos(),
            &self.amount_vsm,
            &self.rate,
            &i32::from(self.term_months),
            &self.status.code(),
        ])
        .await
    }
}

impl Staged for CreditMovement {
    const STAGING: &'static Staging = &Staging {
        table: "staging_credit_movements",
        create: "CREATE TEMP TABLE staging_credit_movements (
                     member_id bigint, credit_number text COLLATE \"C\",
                     reference text COLLATE \"C\", kind text, booked_on date, amount bigint)
                     ON COMMIT DROP;
                 CREATE TEMP TABLE credit_deltas (
                     member_id bigint, credit_number text COLLATE \"C\", delta bigint)
                     ON COMMIT DROP",
        truncate: "TRUNCATE pg_temp.staging_credit_movements",
        copy: "COPY pg_temp.staging_credit_movements FROM STDIN (FORMAT binary)",
        types: &[
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::DATE,
            Type::INT8,
        ],
        // As with the subaccount: the balance owed moves by the rows that went in.
        insert: "WITH ins AS (
                     INSERT INTO credit_movements
                         (member_id, credit_number, reference, kind, booked_on, amount, batch_id)
                     SELECT member_id, credit_number, reference, kind, booked_on, amount, $1
                     FROM pg_temp.staging_credit_movements
                     ORDER BY member_id, credit_number, reference
                     ON CONFLICT DO NOTHING
                     RETURNING member_id, credit_number, amount),
                 deltas AS (
                     INSERT INTO pg_temp.credit_deltas (member_id, credit_number, delta)
                     SELECT member_id, credit_number, sum(amount)::bigint
                     FROM ins GROUP BY member_id, credit_number)
                 SELECT count(*) FROM ins",
        // A movement of a credit the registry does not hold moves no balance, as on SQLite.
        post: Some(
            "UPDATE credits c SET balance = c.balance + d.delta
             FROM (SELECT member_id, credit_number, sum(delta)::bigint AS delta
                   FROM pg_temp.credit_deltas GROUP BY member_id, credit_number) d
             WHERE c.member_id = d.member_id AND c.credit_number = d.credit_number",
        ),
    };

    async fn write(
        &self,
        _ord: i64,
        to: Pin<&mut BinaryCopyInWriter>,
    ) -> Result<(), tokio_postgres::Error> {
        to.write(&[
            &self.member_id.0,
            &self.credit_number.as_str(),
            &self.reference,
            &self.kind.code(),
            &self.booked_on,
            &self.amount.centavos(),
        ])
        .await
    }
}
