//! `POST /_vpcpeer/audit`: the network-wide findings of the reachability engine.

use serde::{Deserialize, Serialize};

/// Body of `POST /_vpcpeer/audit` (`{}` or empty: every finding).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRequest {
    /// Keep only findings naming a resource of this account (and redact for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Traffic the configuration means to carry is dropped.
    Error,
    /// Likely a mistake, or a risk.
    Warning,
    /// Worth knowing.
    Info,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The accounts owning the resources, sorted.
    pub accounts: Vec<String>,
    /// The check's name (`missing_return_route`, …).
    pub check: String,
    /// What to change.
    pub fix: String,
    /// One line.
    pub message: String,
    /// The resources it names, the one at fault first.
    pub resources: Vec<String>,
    /// How bad.
    pub severity: Severity,
}

/// Findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Error findings.
    pub error: usize,
    /// Info findings.
    pub info: usize,
    /// Warning findings.
    pub warning: usize,
}

/// The answer of `POST /_vpcpeer/audit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnswer {
    /// The findings, in the engine's order.
    pub findings: Vec<Finding>,
    /// Counts by severity.
    pub summary: Summary,
}
