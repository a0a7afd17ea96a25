//! The reader for the reference CSV files: a header line, then comma-separated rows. Lines that
//! start with `#` and blank lines are skipped. There is no quoting: a file whose last column is
//! free text (a note, a name) lets that column keep any commas. Every error names the file and
//! the line, counted from 1 as an editor shows it.

use std::str::FromStr;

use rust_decimal::Decimal;
use time::Date;
use time::macros::format_description;

use super::ReferenceError;
use crate::money::Money;

/// Whether the last column takes the rest of the line, commas included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LastColumn {
    Plain,
    FreeText,
}

/// One data row of a file, with its line number.
#[derive(Debug)]
pub(crate) struct Row<'a> {
    file: &'static str,
    columns: &'static [&'static str],
    line: usize,
    fields: Vec<&'a str>,
}

/// Reads `text` as the file `file`, whose header must be exactly `columns`.
pub(crate) fn read<'a>(
    file: &'static str,
    text: &'a str,
    columns: &'static [&'static str],
    last: LastColumn,
) -> Result<Vec<Row<'a>>, ReferenceError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));

    let Some((header_line, header)) = lines.next() else {
        return Err(ReferenceError::Parse {
            file,
            line: 1,
            reason: format!(
                "the file is empty; expected the header `{}`",
                columns.join(",")
            ),
        });
    };
    let found: Vec<&str> = header.split(',').map(str::trim).collect();
    if found != columns {
        return Err(ReferenceError::Parse {
            file,
            line: header_line,
            reason: format!(
                "expected the header `{}`, found `{header}`",
                columns.join(",")
            ),
        });
    }

    let mut rows = Vec::new();
    for (line, content) in lines {
        let fields: Vec<&str> = match last {
            LastColumn::Plain => content.split(',').map(str::trim).collect(),
            LastColumn::FreeText => content.splitn(columns.len(), ',').map(str::trim).collect(),
        };
        if fields.len() != columns.len() {
            return Err(ReferenceError::Parse {
                file,
                line,
                reason: format!(
                    "expected {} columns ({}), found {}",
                    columns.len(),
                    columns.join(","),
                    fields.len()
                ),
            });
        }
        rows.push(Row {
            file,
            columns,
            line,
            fields,
        });
    }
    if rows.is_empty() {
        return Err(ReferenceError::Parse {
            file,
            line: header_line,
            reason: "the file has a header but no rows".to_owned(),
        });
    }
    Ok(rows)
}

impl<'a> Row<'a> {
    pub(crate) fn line(&self) -> usize {
        self.line
    }

    /// A format error on this row.
    pub(crate) fn parse_error(&self, reason: impl Into<String>) -> ReferenceError {
        ReferenceError::Parse {
            file: self.file,
            line: self.line,
            reason: reason.into(),
        }
    }

    /// A well-formed row whose values break a rule of the table.
    pub(crate) fn invalid(&self, reason: impl Into<String>) -> ReferenceError {
        ReferenceError::Invalid {
            file: self.file,
            line: self.line,
            reason: reason.into(),
        }
    }

    pub(crate) fn text(&self, column: &str) -> Result<&'a str, ReferenceError> {
        self.columns
            .iter()
            .position(|c| *c == column)
            .and_then(|index| self.fields.get(index).copied())
            .ok_or_else(|| self.parse_error(format!("the file has no column {column}")))
    }

    pub(crate) fn required(&self, column: &str) -> Result<&'a str, ReferenceError> {
        let text = self.text(column)?;
        if text.is_empty() {
            return Err(self.parse_error(format!("{column} is empty")));
        }
        Ok(text)
    }

    /// A calendar date written YYYY-MM-DD.
    pub(crate) fn date(&self, column: &str) -> Result<Date, ReferenceError> {
        let text = self.required(column)?;
        Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| {
            self.parse_error(format!(
                "{column}: `{text}` is not a date written YYYY-MM-DD"
            ))
        })
    }

    pub(crate) fn year(&self, column: &str) -> Result<i32, ReferenceError> {
        let text = self.required(column)?;
        text.parse::<i32>()
            .ok()
            .filter(|year| (1900..=2200).contains(year))
            .ok_or_else(|| self.parse_error(format!("{column}: `{text}` is not a year")))
    }

    /// An amount in pesos, "117.31": at most two decimals, no thousands separators.
    pub(crate) fn money(&self, column: &str) -> Result<Money, ReferenceError> {
        let text = self.required(column)?;
        Money::parse(text).map_err(|_| {
            self.parse_error(format!(
                "{column}: `{text}` is not an amount in pesos (like 117.31, no thousands separators)"
            ))
        })
    }

    pub(crate) fn optional_money(&self, column: &str) -> Result<Option<Money>, ReferenceError> {
        if self.text(column)?.is_empty() {
            Ok(None)
        } else {
            self.money(column).map(Some)
        }
    }

    pub(crate) fn decimal(&self, column: &str) -> Result<Decimal, ReferenceError> {
        let text = self.required(column)?;
        Decimal::from_str(text)
            .map_err(|_| self.parse_error(format!("{column}: `{text}` is not a number")))
    }

    pub(crate) fn optional_decimal(&self, column: &str) -> Result<Option<Decimal>, ReferenceError> {
        if self.text(column)?.is_empty() {
            Ok(None)
        } else {
            self.decimal(column).map(Some)
        }
    }

    /// `true` or `false`; empty means false.
    pub(crate) fn flag(&self, column: &str) -> Result<bool, ReferenceError> {
        match self.text(column)? {
            "true" => Ok(true),
            "false" | "" => Ok(false),
            other => Err(self.parse_error(format!("{column}: `{other}` is not true or false"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const COLUMNS: &[&str] = &["valid_from", "amount", "note"];

    #[test]
    fn skips_comments_and_blank_lines_and_counts_lines_as_an_editor_does() {
        let text = "# a comment\n\nvalid_from,amount,note\n# another\n2020-01-01,1.50,first\n\n2021-01-01,2,\n";
        let rows = read("test.csv", text, COLUMNS, LastColumn::FreeText).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line(), 5);
        assert_eq!(rows[1].line(), 7);
        assert_eq!(rows[0].date("valid_from").unwrap(), date!(2020 - 01 - 01));
        assert_eq!(rows[0].money("amount").unwrap(), Money::from_centavos(150));
        assert_eq!(rows[1].text("note").unwrap(), "");
    }

    #[test]
    fn the_free_text_last_column_keeps_its_commas() {
        let text = "valid_from,amount,note\n2020-01-01,1.50,from memory, verify\n";
        let rows = read("test.csv", text, COLUMNS, LastColumn::FreeText).unwrap();
        assert_eq!(rows[0].text("note").unwrap(), "from memory, verify");
        let plain = read("test.csv", text, COLUMNS, LastColumn::Plain).unwrap_err();
        assert_eq!(plain.code(), "reference_parse");
    }

    #[test]
    fn accepts_a_byte_order_mark_and_crlf_line_ends() {
        let text = "\u{feff}valid_from,amount,note\r\n2020-01-01,1.50,x\r\n";
        let rows = read("test.csv", text, COLUMNS, LastColumn::Plain).unwrap();
        assert_eq!(rows[0].text("note").unwrap(), "x");
    }

    #[test]
    fn a_wrong_header_is_reported_on_its_line() {
        let text = "# comment\nvalid_from,amount\n2020-01-01,1.50\n";
        let err = read("test.csv", text, COLUMNS, LastColumn::Plain).unwrap_err();
        assert!(
            matches!(
                err,
                ReferenceError::Parse {
                    file: "test.csv",
                    line: 2,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_short_row_is_reported_on_its_line() {
        let text = "valid_from,amount,note\n2020-01-01,1.50,a\n2021-01-01\n";
        let err = read("test.csv", text, COLUMNS, LastColumn::FreeText).unwrap_err();
        assert!(
            matches!(err, ReferenceError::Parse { line: 3, .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("test.csv line 3: expected 3 columns"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_file_or_a_file_without_rows_is_an_error() {
        for text in ["", "# only a comment\n", "valid_from,amount,note\n"] {
            assert!(
                read("test.csv", text, COLUMNS, LastColumn::Plain).is_err(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn field_errors_name_the_column_and_the_line() {
        let text = "valid_from,amount,note\n2020-13-01,1.50,a\n2020-01-01,1.505,b\n2020-01-01,,c\n";
        let rows = read("test.csv", text, COLUMNS, LastColumn::Plain).unwrap();
        let err = rows[0].date("valid_from").unwrap_err();
        assert_eq!(
            err.to_string(),
            "test.csv line 2: valid_from: `2020-13-01` is not a date written YYYY-MM-DD"
        );
        assert!(matches!(
            rows[1].money("amount"),
            Err(ReferenceError::Parse { line: 3, .. })
        ));
        assert!(matches!(
            rows[2].money("amount"),
            Err(ReferenceError::Parse { line: 4, .. })
        ));
        assert_eq!(rows[2].optional_money("amount"), Ok(None));
        assert!(matches!(
            rows[0].flag("note"),
            Err(ReferenceError::Parse { line: 2, .. })
        ));
    }
}
