//! `vpcpeer reach`: asks a running server's `POST /_vpcpeer/reach` whether one endpoint can
//! reach another, and prints the verdict as a table (or the server's JSON).
//!
//! A component of another account, project or subscription comes without its id (the server
//! redacts it) and is printed by its label, e.g. `route-table (account 222222222222, vpc-…)`.
//!
//! Output goes through [`emit`]: when the reader of stdout goes away (`vpcpeer audit --output
//! json | head`), the rest of the output is dropped quietly and the exit status is still the
//! answer's (0 reachable / no error finding, 1 not), not a panic and not 141: the answer was
//! complete, only its printing was cut short, and `set -o pipefail` scripts keep the verdict.

use anyhow::{anyhow, bail, Context};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use vpcpeer_api as api;

/// How to print the verdict.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Tables for humans (hops and blockers with fixes; the matrix grid; audit findings).
    Table,
    /// The server's JSON answer.
    Json,
}

/// Where the server is and the admin token to show it: the options `reach` and `audit` share.
#[derive(clap::Args, Clone)]
pub struct Server {
    /// URL of the vpcpeer server.
    #[arg(
        long,
        default_value = "http://127.0.0.1:4650",
        env = "VPCPEER_ENDPOINT"
    )]
    pub endpoint: String,
    /// The server's admin token, when it requires one (sent as Authorization: Bearer TOKEN).
    #[arg(long, env = "VPCPEER_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
}

impl Server {
    /// Posts `body` to `path` of this server: [`call`].
    pub fn call<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> anyhow::Result<(Value, T)> {
        call(&self.endpoint, path, body, self.admin_token.as_deref())
    }

    /// `GET path` (with its query) of this server, answered as [`call`] answers.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<(Value, T)> {
        exchange(&self.endpoint, path, None, self.admin_token.as_deref())
    }
}

/// Arguments of `vpcpeer reach`.
#[derive(clap::Args)]
#[command(after_help = "Exit status: 0 when reachable, 1 when not reachable, 2 on errors.")]
pub struct ReachArgs {
    /// Source: an instance id (i-…), an interface id (eni-…), a GCP instance
    /// (projects/P/zones/Z/instances/N), an Azure VM or NIC id, a private address, or
    /// IP@NETWORK (a VPC id, GCP network path or VNet id) when several networks hold it.
    #[arg(long, required_unless_present = "matrix")]
    pub from: Option<String>,
    /// Destination: as --from, or any address (a peer account's address is fine; AWS ids must
    /// belong to --account; an instance in another cloud is reached through encrypted peering's
    /// gateway VMs, and named unreachable without them).
    #[arg(long, required_unless_present = "matrix")]
    pub to: Option<String>,
    /// Instead of one query: which instances reach which (all pairs) on --protocol/--port.
    /// --account/--region then filter the instances only when given explicitly.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub matrix: bool,
    /// With --matrix: only these instances (repeatable), numbered in this order.
    #[arg(long = "instance", value_name = "ID", requires = "matrix")]
    pub instances: Vec<String>,
    /// tcp, udp, icmp or all.
    #[arg(long, default_value = "tcp")]
    pub protocol: String,
    /// Destination port (required for tcp and udp).
    #[arg(long)]
    pub port: Option<u16>,
    /// The server to ask.
    #[command(flatten)]
    pub server: Server,
    /// The account asking (ids must belong to it; default 000000000000). With --matrix: only
    /// instances of this account.
    #[arg(long)]
    pub account: Option<String>,
    /// The region asking (default us-east-1). With --matrix: only instances in this region.
    #[arg(long)]
    pub region: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub output: Output,
}

/// Posts `body` to `path` of the server at `endpoint` (with the admin `token`, if any) and
/// returns its JSON answer, as sent and as `T`; a non-200 answer is an error carrying the
/// server's message ([`api::ErrorAnswer`]).
pub fn call<T: DeserializeOwned>(
    endpoint: &str,
    path: &str,
    body: &impl Serialize,
    token: Option<&str>,
) -> anyhow::Result<(Value, T)> {
    let body = serde_json::to_string(body).context("writing the request body")?;
    exchange(endpoint, path, Some(body), token)
}

/// `POST` with `body` (JSON), or `GET` without one, and the answer as [`call`] reads it.
fn exchange<T: DeserializeOwned>(
    endpoint: &str,
    path: &str,
    body: Option<String>,
    token: Option<&str>,
) -> anyhow::Result<(Value, T)> {
    let url = format!("{}{path}", endpoint.trim_end_matches('/'));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let (status, bytes) = runtime.block_on(send(&url, body, token))?;
    let v: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{url} answered {status} with a body that is not JSON"))?;
    if status != 200 {
        let msg = serde_json::from_value::<api::ErrorAnswer>(v)
            .map_or_else(|_| "unknown error".to_owned(), |e| e.error);
        bail!("{msg} (HTTP {status})");
    }
    let typed = T::deserialize(&v)
        .with_context(|| format!("{url} answered with JSON of an unexpected shape"))?;
    Ok((v, typed))
}

/// Prints an answer of [`call`] as `output` asks (the server's JSON, pretty-printed, or
/// `render`ed); the typed answer.
pub fn show<T>(
    output: Output,
    (v, answer): (Value, T),
    render: impl FnOnce(&T) -> String,
) -> anyhow::Result<T> {
    match output {
        Output::Json => emit(&format!("{}\n", serde_json::to_string_pretty(&v)?))?,
        Output::Table => emit(&render(&answer))?,
    }
    Ok(answer)
}

/// Runs the query; `Ok(true)` when reachable (always, for a matrix that was printed).
pub fn run(args: &ReachArgs) -> anyhow::Result<bool> {
    if args.matrix {
        return run_matrix(args);
    }
    let body = api::ReachRequest {
        account: Some(args.account.as_deref().unwrap_or("000000000000").to_owned()),
        region: Some(args.region.as_deref().unwrap_or("us-east-1").to_owned()),
        from: args.from.clone().unwrap_or_default(),
        to: args.to.clone().unwrap_or_default(),
        protocol: args.protocol.clone(),
        port: args.port,
    };
    let answer = args
        .server
        .call::<api::ReachAnswer>("/_vpcpeer/reach", &body)
        .map_err(|e| account_hint(e, args.account.is_none()))?;
    Ok(show(args.output, answer, |a| render(a, args))?.reachable)
}

/// Adds a hint to a "not found in account 000000000000" answer when `--account` was not given:
/// ids must belong to the asking account, which defaults to 000000000000.
pub fn account_hint(e: anyhow::Error, defaulted: bool) -> anyhow::Error {
    let msg = format!("{e:#}");
    if defaulted && msg.contains("account 000000000000") {
        anyhow!(
            "{msg}\nhint: the query asks as account 000000000000 because --account was not given; \
             ids must belong to the asking account: pass --account ACCOUNT_ID (the 12-digit \
             access key id you created them with)"
        )
    } else {
        e
    }
}

/// Writes `text` to stdout. A closed pipe (the reader exited, e.g. `| head`) is not an error:
/// the rest is dropped quietly. Any other write error is.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("writing to stdout"))
        }
        _ => Ok(()),
    }
}

async fn send(
    url: &str,
    body: Option<String>,
    token: Option<&str>,
) -> anyhow::Result<(u16, Bytes)> {
    let uri: hyper::Uri = url
        .parse()
        .with_context(|| format!("bad endpoint URL {url}"))?;
    if uri.scheme_str() != Some("http") {
        bail!("the endpoint must be an http:// URL, got {url}");
    }
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = match body {
        Some(_) => {
            hyper::Request::post(uri).header(hyper::header::CONTENT_TYPE, "application/json")
        }
        None => hyper::Request::get(uri),
    };
    if let Some(t) = token {
        req = req.header(hyper::header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = req
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .context("building the request")?;
    let resp = client
        .request(req)
        .await
        .with_context(|| format!("cannot reach the vpcpeer server at {url}"))?;
    let status = resp.status().as_u16();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .context("reading the answer")?
        .to_bytes();
    Ok((status, bytes))
}

fn header(h: &api::Header) -> String {
    match (h.src_port, h.dst_port) {
        (Some(sp), Some(dp)) => format!("{} {}:{sp} -> {}:{dp}", h.protocol, h.src_ip, h.dst_ip),
        _ => format!("{} {} -> {}", h.protocol, h.src_ip, h.dst_ip),
    }
}

fn rule(r: &api::Rule) -> String {
    let or_q = |s: &Option<String>| s.clone().unwrap_or_else(|| "?".to_owned());
    match r {
        api::Rule::Route(r) => format!("route {} -> {}", r.destination, r.target),
        // Another owner's rule comes without its id or name.
        api::Rule::SecurityGroupRule(r) => match &r.rule_id {
            None => r.direction.clone(),
            Some(id) => format!("{} {id}", r.direction),
        },
        api::Rule::FirewallRule(r) => match &r.rule {
            None => format!("{} (priority {}) {}", r.direction, r.priority, r.action),
            Some(name) => format!(
                "{} {}/{name} (priority {}) {}",
                r.direction,
                or_q(&r.policy),
                r.priority,
                r.action
            ),
        },
        api::Rule::NetworkAclEntry(r) => {
            let n = r.rule_number.map_or("*".to_owned(), |n| n.to_string());
            format!("{} #{n} {}", r.direction, r.action)
        }
    }
}

/// `kind id`, or the label of another owner's component (`kind (account N, vpc-…)`).
fn component(c: &api::Component) -> String {
    match (&c.label, &c.id) {
        (Some(label), _) => label.clone(),
        (None, id) => format!("{} {}", c.kind, id.as_deref().unwrap_or("?")),
    }
}

fn hop_table(out: &mut String, title: &str, hops: &[api::Hop]) {
    use std::fmt::Write;
    let _ = writeln!(out, "\n{title}:");
    if hops.is_empty() {
        let _ = writeln!(out, "  (none)");
        return;
    }
    let rows: Vec<[String; 4]> = hops
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let inb = header(&h.inbound);
            let outb = header(&h.outbound);
            let hdr = if inb == outb {
                inb
            } else {
                format!("{inb} => {outb}")
            };
            [
                (i + 1).to_string(),
                component(&h.component),
                h.rule.as_ref().map_or("-".to_owned(), rule),
                hdr,
            ]
        })
        .collect();
    let head = ["#", "COMPONENT", "RULE", "HEADER IN -> OUT"];
    let mut w = head.map(str::len);
    for r in &rows {
        for (k, cell) in r.iter().enumerate() {
            w[k] = w[k].max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        format!(
            "  {:>w0$}  {:<w1$}  {:<w2$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2]
        )
    };
    let _ = writeln!(out, "{}", line(head));
    for r in &rows {
        let _ = writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3]]));
    }
}

/// The human form of a verdict.
pub fn render(v: &api::ReachAnswer, args: &ReachArgs) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let verdict = if v.reachable {
        "REACHABLE"
    } else {
        "NOT REACHABLE"
    };
    let what = match args.port {
        Some(p) => format!("{}/{p}", args.protocol),
        None => args.protocol.clone(),
    };
    let _ = writeln!(
        out,
        "{verdict}: {} -> {} ({what})",
        args.from.as_deref().unwrap_or("?"),
        args.to.as_deref().unwrap_or("?")
    );
    hop_table(&mut out, "Forward path", &v.forward);
    hop_table(&mut out, "Return path", &v.ret);
    if !v.blockers.is_empty() {
        let _ = writeln!(out, "\nBlockers:");
        for (i, b) in v.blockers.iter().enumerate() {
            let leg = match b.leg {
                api::Leg::Forward => "forward",
                api::Leg::Return => "return",
            };
            let _ = writeln!(
                out,
                "  {}. {} ({leg} path) at {}",
                i + 1,
                b.code,
                component(&b.component)
            );
            let _ = writeln!(out, "     {}", b.detail);
            let _ = writeln!(out, "     fix: {}", b.fix);
        }
    }
    out
}

fn run_matrix(args: &ReachArgs) -> anyhow::Result<bool> {
    let body = api::MatrixRequest {
        protocol: args.protocol.clone(),
        port: args.port,
        account: args.account.clone(),
        region: args.region.clone(),
        instances: (!args.instances.is_empty()).then(|| args.instances.clone()),
    };
    let answer = args
        .server
        .call::<api::MatrixAnswer>("/_vpcpeer/matrix", &body)?;
    show(args.output, answer, render_matrix)?;
    Ok(true)
}

/// The human form of a matrix: rows are sources, columns destinations, numbered as in the
/// instance list below it; an unreachable cell carries the letter of its first blocker's code.
pub fn render_matrix(v: &api::MatrixAnswer) -> String {
    use std::fmt::Write;
    let instances = &v.instances;
    let cells = &v.cells;
    let ids: Vec<&str> = instances.iter().map(|i| i.id.as_str()).collect();
    let what = match v.port {
        Some(p) => format!("{}/{p}", v.protocol),
        None => v.protocol.clone(),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Reachability matrix, {what} (rows: from, columns: to)\n"
    );
    if ids.is_empty() {
        let _ = writeln!(out, "No instances.");
        return out;
    }
    // Letters for the first-blocker codes, in order of first appearance.
    let mut codes: Vec<String> = Vec::new();
    let letter = |codes: &mut Vec<String>, code: &str| {
        let k = codes.iter().position(|c| c == code).unwrap_or_else(|| {
            codes.push(code.to_owned());
            codes.len() - 1
        });
        char::from(b'A' + (k % 26) as u8)
    };
    let mut grid = vec![vec!["—".to_owned(); ids.len()]; ids.len()];
    for c in cells {
        let (Some(f), Some(t)) = (
            ids.iter().position(|i| c.from == *i),
            ids.iter().position(|i| c.to == *i),
        ) else {
            continue;
        };
        grid[f][t] = if c.reachable {
            "✓".to_owned()
        } else if let Some(code) = &c.code {
            format!("✗{}", letter(&mut codes, code))
        } else {
            "✗?".to_owned()
        };
    }
    let w = ids.len().to_string().len().max(3) + 2;
    let pad = |s: &str| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut head = format!("  {}", pad(""));
    for k in 0..ids.len() {
        head.push_str(&pad(&(k + 1).to_string()));
    }
    let _ = writeln!(out, "{}", head.trim_end());
    for (r, row) in grid.iter().enumerate() {
        let mut line = format!("  {}", pad(&(r + 1).to_string()));
        for cell in row {
            line.push_str(&pad(cell));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "\nInstances:");
    for (k, i) in instances.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>2}  {}  {}  {}  {}  {}/{}",
            k + 1,
            i.id,
            i.private_ip.as_deref().unwrap_or("-"),
            i.vpc_id,
            i.subnet_id,
            i.account,
            i.region
        );
    }
    let _ = writeln!(
        out,
        "\nLegend: ✓ reachable (and the reply returns), — same instance, ✗X not reachable, X = first blocker:"
    );
    for (k, c) in codes.iter().enumerate() {
        let _ = writeln!(out, "  {}  {c}", char::from(b'A' + (k % 26) as u8));
    }
    if cells.iter().any(|c| !c.reachable && c.code.is_none()) {
        let _ = writeln!(out, "  ?  the engine could not answer (see --output json)");
    }
    let reachable = cells.iter().filter(|c| c.reachable).count();
    let _ = writeln!(
        out,
        "\n{reachable} of {} ordered pairs reachable.",
        cells.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ReachArgs {
        ReachArgs {
            from: Some("i-1".into()),
            to: Some("10.1.0.5".into()),
            matrix: false,
            instances: Vec::new(),
            protocol: "tcp".into(),
            port: Some(443),
            server: Server {
                endpoint: "http://127.0.0.1:1".into(),
                admin_token: None,
            },
            account: Some("111111111111".into()),
            region: Some("us-east-1".into()),
            output: Output::Table,
        }
    }

    /// A packet header of the answers below: tcp from `src` port 49152 to `dst` port `port`.
    fn header(src: &str, dst: &str, port: u16) -> serde_json::Value {
        serde_json::json!({"src_ip": src, "dst_ip": dst, "protocol": "tcp",
            "src_port": 49152, "dst_port": port})
    }

    /// The table [`render`] prints for the explain answer `v`.
    fn explained(v: serde_json::Value) -> String {
        render(&serde_json::from_value(v).expect("answer"), &args())
    }

    /// Asserts that `s` contains every one of `parts`.
    fn has_each(s: &str, parts: &[&str]) {
        for part in parts {
            assert!(s.contains(part), "{part:?} missing from:\n{s}");
        }
    }

    #[test]
    fn renders_hops_and_blockers() {
        let h = header("10.0.1.5", "10.1.0.5", 443);
        let v = serde_json::json!({
            "reachable": false,
            "forward": [{"component": {"kind": "route-table", "id": "rtb-1"},
                         "rule": {"type": "route", "destination": "10.1.0.0/16", "target": "pcx-1"},
                         "inbound": h, "outbound": h}],
            "return": [],
            "blockers": [{"code": "NO_ROUTE_TO_DESTINATION", "leg": "return",
                          "component": {"kind": "route-table", "id": "rtb-2"},
                          "detail": "rtb-2 has no route", "fix": "add a route"}],
        });
        let s = explained(v);
        assert!(
            s.starts_with("NOT REACHABLE: i-1 -> 10.1.0.5 (tcp/443)\n"),
            "{s}"
        );
        has_each(
            &s,
            &[
                "route-table rtb-1  route 10.1.0.0/16 -> pcx-1  tcp 10.0.1.5:49152 -> 10.1.0.5:443",
                "Return path:\n  (none)",
                "1. NO_ROUTE_TO_DESTINATION (return path) at route-table rtb-2",
                "     fix: add a route\n",
            ],
        );
    }

    #[test]
    fn renders_gcp_and_azure_rules() {
        let h = header("10.1.0.2", "10.2.0.2", 22);
        let v = serde_json::json!({
            "reachable": false,
            "forward": [
                {"component": {"kind": "network", "id": "projects/p/global/networks/net-a"},
                 "rule": {"type": "route", "name": "subnet route of s", "destination": "10.2.0.0/24",
                          "target": "network net-b (peering a-b)", "priority": 0},
                 "inbound": h, "outbound": h},
                {"component": {"kind": "network-security-group", "id": "/subscriptions/s/nsg-b"},
                 "rule": {"type": "firewall-rule", "policy": "nsg-b", "rule": "DenyAllInBound",
                          "priority": 65500, "action": "deny", "direction": "ingress"},
                 "inbound": h, "outbound": h}],
            "return": [],
            "blockers": [{"code": "NSG_RULE", "leg": "forward",
                          "component": {"kind": "network-security-group", "id": "/subscriptions/s/nsg-b"},
                          "detail": "nsg-b/DenyAllInBound (priority 65500) denies inbound", "fix": "allow it"}],
        });
        has_each(
            &explained(v),
            &[
                "route 10.2.0.0/24 -> network net-b (peering a-b)",
                "network-security-group /subscriptions/s/nsg-b  ingress nsg-b/DenyAllInBound (priority 65500) deny",
                "1. NSG_RULE (forward path) at network-security-group /subscriptions/s/nsg-b",
            ],
        );
    }

    #[test]
    fn renders_other_owners_components_by_label() {
        let h = header("10.0.1.5", "10.1.0.5", 443);
        let label = "security-group (account 222222222222, vpc-b)";
        let v = serde_json::json!({
            "reachable": false,
            "forward": [
                {"component": {"kind": "security-group", "id": null, "account": "222222222222",
                               "vpc": "vpc-b", "label": label},
                 "rule": {"type": "security-group-rule", "group_id": null, "rule_id": null,
                          "direction": "ingress"},
                 "inbound": h, "outbound": h},
                {"component": {"kind": "firewall-rule", "id": null, "project": "proj-b",
                               "label": "firewall-rule (project proj-b)"},
                 "rule": {"type": "firewall-rule", "policy": null, "rule": null,
                          "priority": 1000, "action": "deny", "direction": "ingress"},
                 "inbound": h, "outbound": h}],
            "return": [],
            "blockers": [{"code": "FIREWALL_RULE", "leg": "forward",
                          "component": {"kind": "firewall-rule", "id": null, "project": "proj-b",
                                        "label": "firewall-rule (project proj-b)"},
                          "detail": "denied", "fix": "its owner (project proj-b) must add a rule"}],
        });
        let s = explained(v);
        has_each(
            &s,
            &[
                &format!("{label}  ingress "),
                "firewall-rule (project proj-b)                ingress (priority 1000) deny",
                "1. FIREWALL_RULE (forward path) at firewall-rule (project proj-b)\n",
            ],
        );
        assert!(!s.contains('?'), "{s}");
    }

    #[test]
    fn a_default_account_gets_a_hint() {
        let e =
            anyhow!("instance i-1 not found in account 000000000000 region us-east-1 (HTTP 404)");
        let hinted = format!("{:#}", account_hint(e, true));
        assert!(
            hinted.contains("hint: ") && hinted.contains("--account"),
            "{hinted}"
        );
        let e =
            anyhow!("instance i-1 not found in account 111111111111 region us-east-1 (HTTP 404)");
        assert!(!format!("{:#}", account_hint(e, false)).contains("hint"));
    }

    #[test]
    fn unreachable_server_is_an_error() {
        assert!(run(&args()).is_err());
    }

    #[test]
    fn renders_a_matrix_with_a_legend() {
        let v = serde_json::json!({
            "protocol": "tcp", "port": 443,
            "instances": [
                {"id": "i-1", "private_ip": "10.0.1.5", "vpc_id": "vpc-a", "subnet_id": "subnet-a",
                 "account": "111111111111", "region": "us-east-1"},
                {"id": "i-2", "private_ip": "10.1.1.5", "vpc_id": "vpc-b", "subnet_id": "subnet-b",
                 "account": "222222222222", "region": "us-east-1"},
                {"id": "i-3", "private_ip": "10.2.1.5", "vpc_id": "vpc-c", "subnet_id": "subnet-c",
                 "account": "222222222222", "region": "us-east-1"},
            ],
            "cells": [
                {"from": "i-1", "to": "i-2", "reachable": true},
                {"from": "i-1", "to": "i-3", "reachable": false, "code": "DISCONNECTED_VPCS"},
                {"from": "i-2", "to": "i-1", "reachable": false, "code": "ENI_SG_RULES_MISMATCH"},
                {"from": "i-2", "to": "i-3", "reachable": false, "code": "DISCONNECTED_VPCS"},
                {"from": "i-3", "to": "i-1", "reachable": false, "code": "DISCONNECTED_VPCS"},
                {"from": "i-3", "to": "i-2", "reachable": false, "error": "boom"},
            ],
            "reachable": [["i-1", "i-2"]],
        });
        let s = render_matrix(&serde_json::from_value(v).expect("answer"));
        let want_grid =
            "       1    2    3\n  1    —    ✓    ✗A\n  2    ✗B   —    ✗A\n  3    ✗A   ✗?   —\n";
        has_each(
            &s,
            &[
                want_grid,
                "  A  DISCONNECTED_VPCS\n  B  ENI_SG_RULES_MISMATCH\n  ?  ",
                "   1  i-1  10.0.1.5  vpc-a  subnet-a  111111111111/us-east-1",
            ],
        );
        assert!(s.ends_with("1 of 6 ordered pairs reachable.\n"), "{s}");
    }
}
