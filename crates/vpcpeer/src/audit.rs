//! `vpcpeer audit`: asks a running server's `POST /_vpcpeer/audit` for the network-wide findings
//! and prints them as a table (or the server's JSON). With `--account`, the server names other
//! accounts' resources by kind and owner only. A closed output pipe ends the output quietly
//! ([`crate::reach::emit`]).

use serde_json::Value;

use crate::reach::{call, emit, Output};

/// Arguments of `vpcpeer audit`.
#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when there is no error-severity finding, 1 when there is, 2 on errors."
)]
pub struct AuditArgs {
    /// URL of the vpcpeer server.
    #[arg(
        long,
        default_value = "http://127.0.0.1:4650",
        env = "VPCPEER_ENDPOINT"
    )]
    pub endpoint: String,
    /// Only findings that name a resource of this account.
    #[arg(long)]
    pub account: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub output: Output,
    /// The server's admin token, when it requires one (sent as Authorization: Bearer TOKEN).
    #[arg(long, env = "VPCPEER_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
}

/// Runs the audit; `Ok(true)` when no finding has error severity.
pub fn run(args: &AuditArgs) -> anyhow::Result<bool> {
    let mut body = serde_json::json!({});
    if let Some(a) = &args.account {
        body["account"] = serde_json::json!(a);
    }
    let v = call(
        &args.endpoint,
        "/_vpcpeer/audit",
        &body,
        args.admin_token.as_deref(),
    )?;
    let findings = v["findings"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("the server answered without \"findings\""))?;
    let clean = !findings.iter().any(|f| f["severity"] == "error");
    match args.output {
        Output::Json => emit(&format!("{}\n", serde_json::to_string_pretty(&v)?))?,
        Output::Table => emit(&render(&v))?,
    }
    Ok(clean)
}

/// The human form: one block per finding (severity, check, resources; then message and fix),
/// then the counts.
pub fn render(v: &Value) -> String {
    use std::fmt::Write;
    let empty = Vec::new();
    let findings = v["findings"].as_array().unwrap_or(&empty);
    let mut out = String::new();
    if findings.is_empty() {
        let _ = writeln!(out, "No findings.");
        return out;
    }
    let s = |f: &Value, k: &str| f[k].as_str().unwrap_or("?").to_owned();
    let resources = |f: &Value| {
        f["resources"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let w_sev = findings
        .iter()
        .map(|f| s(f, "severity").len())
        .max()
        .unwrap_or(0)
        .max("SEVERITY".len());
    let w_chk = findings
        .iter()
        .map(|f| s(f, "check").len())
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
            s(f, "severity"),
            s(f, "check"),
            resources(f)
        );
        let _ = writeln!(out, "{indent}{}", s(f, "message"));
        let _ = writeln!(out, "{indent}fix: {}", s(f, "fix"));
    }
    let n = |k: &str| v["summary"][k].as_u64().unwrap_or(0);
    let _ = writeln!(
        out,
        "\n{} error(s), {} warning(s), {} info.",
        n("error"),
        n("warning"),
        n("info")
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
        let s = render(&v);
        let want = "SEVERITY  CHECK                 RESOURCES\n\
                    error     missing_return_route  rtb-a, pcx-1, vpc-b, rtb-b\n\
                    \x20                               route has no return route\n\
                    \x20                               fix: add a route\n\
                    warning   orphaned_peering      pcx-2\n";
        assert!(s.starts_with(want), "{s}");
        assert!(s.ends_with("\n1 error(s), 1 warning(s), 0 info.\n"), "{s}");
        assert_eq!(
            render(&serde_json::json!({"findings": []})),
            "No findings.\n"
        );
    }

    #[test]
    fn unreachable_server_is_an_error() {
        let args = AuditArgs {
            endpoint: "http://127.0.0.1:1".into(),
            account: None,
            output: Output::Json,
            admin_token: None,
        };
        assert!(run(&args).is_err());
    }
}
