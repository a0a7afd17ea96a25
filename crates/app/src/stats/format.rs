//! The report as text (Spanish or English, from the translation files), CSV and JSON, for
//! `vivienda report` and the downloads of the dashboard.

use fluent_bundle::FluentArgs;

use super::report::Report;
use crate::i18n::{Lang, Messages};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Csv,
    Json,
}

/// 9116784 → "9,116,784".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// 414.0 → "6 min 54 s".
pub fn duration(messages: &Messages, lang: Lang, seconds: f64) -> String {
    let total = seconds.round() as i64;
    let mut args = FluentArgs::new();
    args.set("minutes", total / 60);
    args.set("seconds", total % 60);
    messages.format(lang, "stats-duration", Some(&args))
}

fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}%"))
}

fn num(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
}

/// The label of a procedure: a consultation's or a request kind's.
pub fn procedure_label(messages: &Messages, lang: Lang, code: &str) -> String {
    let id = format!("stats-procedure-{code}");
    if messages.has(lang, &id) {
        messages.text(lang, &id)
    } else {
        messages.text(lang, &format!("request-kind-{code}"))
    }
}

pub fn render(report: &Report, format: ReportFormat, messages: &Messages, lang: Lang) -> String {
    match format {
        ReportFormat::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        ReportFormat::Csv => csv(report),
        ReportFormat::Text => text(report, messages, lang),
    }
}

fn text(r: &Report, m: &Messages, lang: Lang) -> String {
    let t = |id: &str| m.text(lang, id);
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    let mut args = FluentArgs::new();
    args.set("date", r.as_of.clone());
    line(format!(
        "{} — {}",
        t("stats-title"),
        m.format(lang, "stats-as-of", Some(&args))
    ));
    let a = &r.accounts;
    line(String::new());
    line(format!(
        "{}: {}",
        t("stats-registered"),
        grouped(a.registered)
    ));
    line(format!(
        "{}: {}",
        t("stats-previous-year-end"),
        grouped(a.previous_year_end)
    ));
    line(format!(
        "{}: {}",
        t("stats-new-ytd"),
        grouped(a.new_year_to_date)
    ));
    line(format!("{}: {}", t("stats-growth"), pct(a.growth_percent)));
    line(format!(
        "{}: {}",
        t("stats-signups-ytd"),
        grouped(a.signups_year_to_date)
    ));
    for q in &a.by_quarter {
        let mut args = FluentArgs::new();
        args.set("n", q.quarter);
        line(format!(
            "  {}: {} ({})",
            m.format(lang, "stats-quarter-n", Some(&args)),
            grouped(q.new),
            pct(q.share_percent)
        ));
    }
    line(format!(
        "{}: {}",
        t("stats-mean-new-month"),
        a.mean_new_per_month
            .map_or_else(|| "—".to_owned(), |v| grouped(v.round() as i64))
    ));
    line(String::new());
    line(format!("{}:", t("stats-states")));
    for (i, s) in r.states.iter().take(10).enumerate() {
        let name = if s.name.is_empty() {
            t("stats-state-unknown")
        } else {
            s.name.clone()
        };
        line(format!(
            "  {}. {name}: {} ({})",
            i + 1,
            grouped(s.users),
            pct(s.share_percent)
        ));
    }
    line(String::new());
    let mut args = FluentArgs::new();
    args.set("days", r.window_days);
    args.set("from", r.window_from.clone());
    args.set("to", r.as_of.clone());
    line(m.format(lang, "stats-window", Some(&args)));
    let act = &r.activity;
    line(format!(
        "{}: {}",
        t("stats-daily-users"),
        grouped(act.mean_daily_users.round() as i64)
    ));
    line(format!(
        "{}: {}",
        t("stats-sessions"),
        grouped(act.sessions)
    ));
    let dur = |s: Option<f64>| s.map_or_else(|| "—".to_owned(), |s| duration(m, lang, s));
    line(format!(
        "{}: {}",
        t("stats-session-mean"),
        dur(act.mean_session_seconds)
    ));
    line(format!(
        "{}: {}",
        t("stats-session-median"),
        dur(act.median_session_seconds)
    ));
    line(format!(
        "{}: {}",
        t("stats-monthly-actives"),
        act.monthly_actives.as_ref().map_or_else(
            || "—".to_owned(),
            |ma| format!("{} ({})", grouped(ma.count), &ma.month[..7])
        )
    ));
    line(String::new());
    line(format!("{}:", t("stats-procedures")));
    for (i, p) in r.procedures.iter().enumerate() {
        line(format!(
            "  {}. {}: {}",
            i + 1,
            procedure_label(m, lang, &p.code),
            grouped(p.uses)
        ));
    }
    line(String::new());
    line(format!("{}:", t("stats-service")));
    for s in r
        .service_levels
        .iter()
        .filter(|s| s.started + s.completed > 0)
    {
        line(format!(
            "  {}: {} {}, {} {}, {} {}, {} {} / {} {}",
            m.text(lang, &format!("request-kind-{}", s.kind)),
            t("stats-started").to_lowercase(),
            grouped(s.started),
            t("stats-completed").to_lowercase(),
            grouped(s.completed),
            t("stats-on-time").to_lowercase(),
            pct(s.on_time_percent),
            t("stats-promised-days").to_lowercase(),
            num(s.promised_mean_days),
            t("stats-actual-days").to_lowercase(),
            num(s.actual_mean_days)
        ));
    }
    out
}

/// One row per figure: `section,key,value` (shares and means as decimals).
fn csv(r: &Report) -> String {
    let mut rows: Vec<[String; 3]> = Vec::new();
    let mut row = |section: &str, key: &str, value: String| {
        rows.push([section.to_owned(), key.to_owned(), value]);
    };
    let opt = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.4}"));
    let a = &r.accounts;
    row("report", "as_of", r.as_of.clone());
    row("report", "window_from", r.window_from.clone());
    row("report", "window_days", r.window_days.to_string());
    row("accounts", "registered", a.registered.to_string());
    row(
        "accounts",
        "previous_year_end",
        a.previous_year_end.to_string(),
    );
    row(
        "accounts",
        "new_year_to_date",
        a.new_year_to_date.to_string(),
    );
    row("accounts", "growth_percent", opt(a.growth_percent));
    row(
        "accounts",
        "signups_year_to_date",
        a.signups_year_to_date.to_string(),
    );
    row("accounts", "mean_new_per_month", opt(a.mean_new_per_month));
    for q in &a.by_quarter {
        row(
            "new_by_quarter",
            &format!("Q{}", q.quarter),
            q.new.to_string(),
        );
        row(
            "new_by_quarter_share_percent",
            &format!("Q{}", q.quarter),
            opt(q.share_percent),
        );
    }
    for mo in &a.by_month {
        row("new_by_month", &mo.month, mo.count.to_string());
    }
    for s in &r.states {
        row("users_by_state", &s.state.to_string(), s.users.to_string());
    }
    let act = &r.activity;
    row(
        "activity",
        "mean_daily_users",
        format!("{:.4}", act.mean_daily_users),
    );
    row("activity", "sessions", act.sessions.to_string());
    row(
        "activity",
        "mean_session_seconds",
        opt(act.mean_session_seconds),
    );
    row(
        "activity",
        "median_session_seconds",
        opt(act.median_session_seconds),
    );
    for (channel, n) in &act.sessions_by_channel {
        row("sessions_by_channel", channel, n.to_string());
    }
    for (day, n) in &act.daily_users {
        row("daily_users", day, n.to_string());
    }
    for mo in &act.monthly_series {
        row("monthly_actives", &mo.month, mo.count.to_string());
    }
    for p in &r.procedures {
        row("procedure_uses", &p.code, p.uses.to_string());
    }
    for s in &r.service_levels {
        row("requests_started", &s.kind, s.started.to_string());
        row("requests_completed", &s.kind, s.completed.to_string());
        row("requests_on_time", &s.kind, s.on_time.to_string());
        row("promised_mean_days", &s.kind, opt(s.promised_mean_days));
        row("actual_mean_days", &s.kind, opt(s.actual_mean_days));
    }
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let mut ok = writer.write_record(["section", "key", "value"]).is_ok();
    for r in &rows {
        ok &= writer.write_record(r).is_ok();
    }
    let bytes = writer.into_inner().unwrap_or_default();
    if !ok {
        tracing::warn!("report CSV could not be written whole");
    }
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(9_116_784), "9,116,784");
        assert_eq!(grouped(863), "863");
        assert_eq!(grouped(-1000), "-1,000");
        assert_eq!(grouped(0), "0");
    }
}
