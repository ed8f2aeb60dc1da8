//! `vpcpeer inspect ID`: asks a running server's `GET /_vpcpeer/inspect` for one network or
//! peering of any cloud and prints its facts and tables (route tables with blackhole routes
//! flagged, security groups, ACLs, firewall rules, NSGs; a peering's lifecycle), or the
//! server's JSON. The console's inspector shows the same answer.

use vpcpeer_api as api;

use crate::reach::{show, Output, Server};

/// Arguments of `vpcpeer inspect`.
#[derive(clap::Args)]
#[command(after_help = "Exit status: 0 when shown, 1 on errors (an unknown id included).")]
pub struct InspectArgs {
    /// A network (vpc-…, a GCP network path, a VNet id) or a peering (pcx-…,
    /// NETWORK/peerings/NAME for GCP, a VNet peering id).
    pub id: String,
    /// The server to ask.
    #[command(flatten)]
    pub server: Server,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub output: Output,
}

/// Shows the network or peering.
pub fn run(args: &InspectArgs) -> anyhow::Result<()> {
    let path = format!("/_vpcpeer/inspect?id={}", query_escape(&args.id));
    let answer = args.server.get::<api::Inspection>(&path)?;
    show(args.output, answer, render)?;
    Ok(())
}

/// `s` for a query string: every byte but unreserved characters and `/` and `:` escaped.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The human form: a heading, the facts aligned, then each table with its columns aligned and
/// flagged rows marked `!`.
pub fn render(a: &api::Inspection) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let what = if a.kind == "network" {
        "Network"
    } else {
        "Peering"
    };
    let _ = write!(out, "{what} {}", a.id);
    if let Some(n) = &a.name {
        let _ = write!(out, " ({n})");
    }
    let _ = writeln!(out, " — {}", a.cloud);
    let w = a.facts.iter().map(|f| f.key.len()).max().unwrap_or(0);
    for f in &a.facts {
        let _ = writeln!(out, "  {:<w$}  {}", f.key, f.value);
    }
    for t in &a.tables {
        let _ = writeln!(out, "\n{}", t.title);
        let mut widths: Vec<usize> = t.columns.iter().map(|c| c.chars().count()).collect();
        for r in &t.rows {
            for (i, c) in r.cells.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(c.chars().count());
                }
            }
        }
        let line = |cells: &[String], mark: &str| {
            let mut l = format!("{mark} ");
            for (i, c) in cells.iter().enumerate() {
                let w = widths.get(i).copied().unwrap_or(0);
                l.push_str(&format!("{c:<w$}  "));
            }
            l.trim_end().to_owned()
        };
        let heads: Vec<String> = t.columns.iter().map(|c| c.to_uppercase()).collect();
        let _ = writeln!(out, "{}", line(&heads, " "));
        for r in &t.rows {
            let mark = if r.flag.is_some() { "!" } else { " " };
            let _ = writeln!(out, "{}", line(&r.cells, mark));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_facts_and_aligned_tables_with_flags() {
        let v = serde_json::json!({
            "cloud": "aws", "id": "vpc-1", "kind": "network", "name": "shop",
            "facts": [{"key": "CIDRs", "value": "10.0.0.0/16"}, {"key": "Region", "value": "us-east-1"}],
            "tables": [{
                "columns": ["Destination", "Target", "State"], "id": "rtb-1",
                "kind": "route-table", "title": "Route table rtb-1 (main)",
                "rows": [
                    {"cells": ["10.0.0.0/16", "local", "active"], "flag": null},
                    {"cells": ["10.1.0.0/16", "pcx-1", "blackhole"], "flag": "blackhole"},
                ],
            }],
        });
        let s = render(&serde_json::from_value(v).expect("answer"));
        let want = "Network vpc-1 (shop) — aws\n\
                    \x20 CIDRs   10.0.0.0/16\n\
                    \x20 Region  us-east-1\n\
                    \n\
                    Route table rtb-1 (main)\n\
                    \x20 DESTINATION  TARGET  STATE\n\
                    \x20 10.0.0.0/16  local   active\n\
                    ! 10.1.0.0/16  pcx-1   blackhole\n";
        assert_eq!(s, want);
    }

    #[test]
    fn ids_are_escaped_for_the_query() {
        assert_eq!(query_escape("vpc-0a1"), "vpc-0a1");
        assert_eq!(
            query_escape("projects/p/global/networks/n/peerings/a b&c"),
            "projects/p/global/networks/n/peerings/a%20b%26c"
        );
    }
}
