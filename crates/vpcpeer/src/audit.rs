//! `vpcpeer audit`: asks a running server's `POST /_vpcpeer/audit` for the network-wide findings
//! and prints them as a table (or the server's JSON). With `--account`, the server names other
//! accounts' resources by kind and owner only. A closed output pipe ends the output quietly
//! ([`crate::reach::emit`]).

use vpcpeer_api as api;

use crate::reach::{show, Output, Server};

/// Arguments of `vpcpeer audit`.
#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when there is no error-severity finding, 1 when there is, 2 on errors."
)]
pub struct AuditArgs {
    /// The server to ask.
    #[command(flatten)]
    pub server: Server,
    /// Only findings that name a resource of this account.
    #[arg(long)]
    pub account: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub output: Output,
}

/// Runs the audit; `Ok(true)` when no finding has error severity.
pub fn run(args: &AuditArgs) -> anyhow::Result<bool> {
    let body = api::AuditRequest {
        account: args.account.clone(),
    };
    let answer = args
        .server
        .call::<api::AuditAnswer>("/_vpcpeer/audit", &body)?;
    let answer = show(args.output, answer, render)?;
    let error = |f: &api::Finding| f.severity == api::Severity::Error;
    Ok(!answer.findings.iter().any(error))
}

/// The human form: one block per finding (severity, check, resources; then message and fix),
/// then the counts.
pub fn render(v: &api::AuditAnswer) -> String {
    use std::fmt::Write;
    let findings = &v.findings;
    let mut out = String::new();
    if findings.is_empty() {
        let _ = writeln!(out, "No findings.");
        return out;
    }
    let severity = |f: &api::Finding| match f.severity {
        api::Severity::Error => "error",
        api::Severity::Warning => "warning",
        api::Severity::Info => "info",
    };
    let w_sev = findings
        .iter()
        .map(|f| severity(f).len())
        .max()
        .unwrap_or(0)
        .max("SEVERITY".len());
    let w_chk = findings
        .iter()
        .map(|f| f.check.len())
        .max()
        .unwrap_or(0)
        .max("CHECK".len());
    let _ = writeln!(
        out,
        "{:<w_sev$}  {:<w_chk$}  RESOURCES",
        "SEVERITY", "CHECK"
    );
    let indent = " ".repeat(w_sev + w_chk + 4);
    for f in findings {
        let _ = writeln!(
            out,
            "{:<w_sev$}  {:<w_chk$}  {}",
            severity(f),
            f.check,
            f.resources.join(", ")
        );
        let _ = writeln!(out, "{indent}{}", f.message);
        let _ = writeln!(out, "{indent}fix: {}", f.fix);
    }
    let _ = writeln!(
        out,
        "\n{} error(s), {} warning(s), {} info.",
        v.summary.error, v.summary.warning, v.summary.info
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_findings_and_counts() {
        let v = serde_json::json!({
            "findings": [
                {"check": "missing_return_route", "severity": "error",
                 "resources": ["rtb-a", "pcx-1", "vpc-b", "rtb-b"], "accounts": [],
                 "message": "route has no return route", "fix": "add a route"},
                {"check": "orphaned_peering", "severity": "warning",
                 "resources": ["pcx-2"], "accounts": [],
                 "message": "pcx-2 is unused", "fix": "delete it"},
            ],
            "summary": {"error": 1, "warning": 1, "info": 0},
        });
        let s = render(&serde_json::from_value(v).expect("answer"));
        let want = "SEVERITY  CHECK                 RESOURCES\n\
                    error     missing_return_route  rtb-a, pcx-1, vpc-b, rtb-b\n\
                    \x20                               route has no return route\n\
                    \x20                               fix: add a route\n\
                    warning   orphaned_peering      pcx-2\n";
        assert!(s.starts_with(want), "{s}");
        assert!(s.ends_with("\n1 error(s), 1 warning(s), 0 info.\n"), "{s}");
        let none =
            serde_json::json!({"findings": [], "summary": {"error": 0, "warning": 0, "info": 0}});
        assert_eq!(
            render(&serde_json::from_value(none).expect("answer")),
            "No findings.\n"
        );
    }

    #[test]
    fn unreachable_server_is_an_error() {
        let args = AuditArgs {
            server: Server {
                endpoint: "http://127.0.0.1:1".into(),
                admin_token: None,
            },
            account: None,
            output: Output::Json,
        };
        assert!(run(&args).is_err());
    }
}
