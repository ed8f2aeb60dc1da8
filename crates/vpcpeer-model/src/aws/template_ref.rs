//! How a request names a launch template (`LaunchTemplateId` or `LaunchTemplateName`, and a
//! `Version`): a leaf both RunInstances' input and the launch template commands use.

use serde::{Deserialize, Serialize};

/// A template named by id or by name (exactly one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRef {
    /// `LaunchTemplateId`.
    pub id: Option<String>,
    /// `LaunchTemplateName`.
    pub name: Option<String>,
}

/// RunInstances' `LaunchTemplate`: the template and the version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSpec {
    /// The template.
    pub template: TemplateRef,
    /// `Version` (none: the default version).
    pub version: Option<String>,
}
