//! A deterministic synthetic population: members with valid identifiers and realistic names,
//! employers, employment histories with wages, bimester contributions, yearly yields and credits
//! of every kind, all derived from the reference tables so that balances are coherent.
//!
//! Member `i` of seed `s` is generated from its own random stream, so the population is the
//! same whatever the order or the number of threads, and a member can be regenerated alone.

mod credit;
mod history;
mod names;
pub mod usage;

use domain::ids::generate::{self, NameParts};
use domain::reference::ReferenceTables;
use domain::refund::{PensionKind, PensionOutcome, PensionResolution};
use domain::registry::{
    Credit, CreditMovement, Employer, MemberId, Movement, Nrp, Person, RelationPeriod, Sex,
    StateCode,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};

pub use history::employer_count;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub members: u32,
    pub seed: u64,
    /// Nothing is generated after this date: it is "today" for the population.
    pub until: Date,
}

/// One member with everything the registry holds about them. Member ids are placeholders
/// (`MemberId(0)`) until the loader learns the real ones.
#[derive(Clone, Debug)]
pub struct MemberRecord {
    pub index: u32,
    pub person: Person,
    pub relations: Vec<RelationPeriod>,
    pub movements: Vec<Movement>,
    pub credits: Vec<Credit>,
    pub credit_movements: Vec<CreditMovement>,
    /// The IMSS resolution of a member who retired: granted some weeks after the last job.
    pub pension: Option<PensionResolution>,
    pub profile: Profile,
}

/// The kind of member, so the demo can point at interesting accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Working and saving, no credit.
    Saver,
    /// Has an active credit in VSM.
    VsmBorrower,
    /// Has an active credit in pesos.
    PesosBorrower,
    /// Paid a credit off.
    PaidOff,
    /// Stopped working at retirement age, no credit.
    Pensioner,
}

impl MemberRecord {
    /// Sets the real member id on every row.
    pub fn assign_id(&mut self, id: MemberId) {
        self.relations.iter_mut().for_each(|r| r.member_id = id);
        self.movements.iter_mut().for_each(|m| m.member_id = id);
        self.credits.iter_mut().for_each(|c| c.member_id = id);
        self.credit_movements
            .iter_mut()
            .for_each(|m| m.member_id = id);
        if let Some(p) = self.pension.as_mut() {
            p.member_id = id;
        }
    }
}

fn member_rng(seed: u64, stream: u64, index: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_0FF0_5EED);
    rng.set_stream(stream);
    rng.set_word_pos(u128::from(index) * 4096);
    rng
}

/// The employers of the population, one per `history::EMPLOYEES_PER_EMPLOYER` members.
pub fn employers(config: &Config) -> Vec<Employer> {
    (0..employer_count(config.members))
        .map(|i| {
            let mut rng = member_rng(config.seed, 1, i);
            names::employer(&mut rng, i)
        })
        .collect()
}

/// Generates member `index`. Errors only if the reference tables do not cover the dates.
pub fn member(
    config: &Config,
    tables: &ReferenceTables,
    index: u32,
) -> Result<MemberRecord, domain::reference::ReferenceError> {
    let mut rng = member_rng(config.seed, 2, index);
    let sex = if rng.random_bool(0.42) {
        Sex::Female
    } else {
        Sex::Male
    };
    let state = names::state(&mut rng);
    let (first, second, given) = names::person(&mut rng, sex);
    let age_days = rng.random_range(19 * 365..78 * 365);
    let birth = config.until - Duration::days(age_days);
    let name = NameParts {
        first_surname: first,
        second_surname: second,
        given_names: &given,
    };
    let curp_state = tables
        .state_by_inegi(state)
        .map_or("DF", |s| s.curp_code.as_str())
        .to_owned();
    let first_job_age = rng.random_range(18..27);
    let registration_year = (birth.year() + first_job_age).min(config.until.year());
    let person = Person {
        // Subdelegation and serial come from the index, so NSS never repeat below 990,000
        // members whatever the years drawn.
        nss: generate::nss(
            u8::try_from(1 + (index / 10_000) % 99).unwrap_or(1),
            registration_year,
            birth.year(),
            u16::try_from(index % 10_000).unwrap_or(0),
        ),
        curp: generate::curp(&name, birth, sex, &curp_state, rng.random_range(0..10)),
        rfc: generate::rfc_person(&name, birth),
        first_surname: first.to_owned(),
        second_surname: second.to_owned(),
        given_names: given.clone(),
        birth_date: birth,
        sex,
        state,
    };
    let mut record = MemberRecord {
        index,
        person,
        relations: Vec::new(),
        movements: Vec::new(),
        credits: Vec::new(),
        credit_movements: Vec::new(),
        pension: None,
        profile: Profile::Saver,
    };
    let plan = history::plan(&mut rng, config, &record.person, first_job_age, index);
    record.profile = plan.profile;
    record.relations = plan.relations.clone();
    // Derived without drawing from the stream, so the rest of the member stays as it was.
    record.pension = plan.career_end.map(|retired| PensionResolution {
        member_id: MemberId(0),
        outcome: PensionOutcome::Granted,
        kind: if retired.year() - record.person.birth_date.year() >= 65 {
            PensionKind::OldAge
        } else {
            PensionKind::Severance
        },
        resolved_on: (retired + Duration::days(45)).min(config.until),
    });
    let credit_plan = credit::plan(&mut rng, config, tables, &plan)?;
    let to_credit = history::post(&mut record, &plan, credit_plan.as_ref(), tables, config)?;
    if let Some(credit_plan) = credit_plan {
        credit::post(&mut record, &credit_plan, &to_credit, tables, config)?;
        record.profile = credit_plan.profile;
    }
    Ok(record)
}

/// The employer registration of employer `i`: unique per population.
pub fn nrp_of(i: u32) -> Nrp {
    Nrp::numbered(u64::from(i))
}

pub(crate) fn state_code(n: u8) -> StateCode {
    StateCode::new(n).unwrap_or(StateCode(9))
}
