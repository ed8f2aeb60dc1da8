//! How a request names a launch template: `LaunchTemplateId`/`LaunchTemplateName` (the
//! launch template actions) and RunInstances' `LaunchTemplate.*` with its `Version`.

use vpcpeer_model::aws::template_ref::{TemplateRef, TemplateSpec};
use vpcpeer_model::{CatalogProblem, DomainError};

use super::domain;
use crate::{Ec2Error, Params};

/// The template a request names by `LaunchTemplateId` or `LaunchTemplateName`.
pub(super) fn template_ref(p: &Params) -> TemplateRef {
    TemplateRef {
        id: p.string("LaunchTemplateId").filter(|s| !s.is_empty()),
        name: p.string("LaunchTemplateName").filter(|s| !s.is_empty()),
    }
}

/// RunInstances' `LaunchTemplate.LaunchTemplateId|LaunchTemplateName` and `Version`: exactly
/// one of the two names, else `MissingParameter`.
pub(super) fn spec(p: &Params) -> Result<Option<TemplateSpec>, Ec2Error> {
    let Some(lt) = p.nested("LaunchTemplate") else {
        return Ok(None);
    };
    let template = template_ref(&lt);
    if template.id.is_some() == template.name.is_some() {
        return domain(Err(DomainError::Catalog(CatalogProblem::TemplateNotNamed)));
    }
    Ok(Some(TemplateSpec {
        template,
        version: lt.string("Version").filter(|s| !s.is_empty()),
    }))
}
