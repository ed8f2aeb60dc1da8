//! Launch templates: CreateLaunchTemplate, CreateLaunchTemplateVersion, DeleteLaunchTemplate,
//! the lookups of DescribeLaunchTemplates and DescribeLaunchTemplateVersions, and the merge of a
//! template under a RunInstances request.
//!
//! A template (`lt-…`) holds its versions (numbered from 1) in its record, each with the subset
//! of `LaunchTemplateData` a launch here uses: `ImageId`, `InstanceType`, `KeyName`,
//! `SecurityGroupIds`, `SecurityGroups`, `NetworkInterfaces` (the launch's own subset),
//! `Placement.AvailabilityZone`, `UserData` and the `instance`/`network-interface` tag
//! specifications.
//! Other members of `LaunchTemplateData` are accepted and not kept [choice].
//!
//! RunInstances with `LaunchTemplate` takes the template version's data for every member the
//! request leaves out: a request's own value wins, member by member (AWS: "any parameters that
//! you specify in the request override the same parameters in the launch template"), tag
//! specifications merge key by key, the request's winning. Choices [UNVERIFIED]:
//! - A template's data is not checked against the world when stored (AWS neither: a template
//!   naming a deleted group fails at launch), only its shape.
//! - A template name is 3–128 characters of letters, digits and `()./_-`, as AWS documents.

use serde::{Deserialize, Serialize};

use crate::aws::instance::{NicSpec, RunInstances};
pub use crate::aws::template_ref::{TemplateRef, TemplateSpec};
use crate::{CatalogProblem, DomainError, Tags, Timestamp, Tx};

/// The launch data a template version holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateData {
    /// `ImageId`.
    pub image_id: Option<String>,
    /// `InstanceType`.
    pub instance_type: Option<String>,
    /// `KeyName`.
    pub key_name: Option<String>,
    /// `SecurityGroupIds`.
    pub security_group_ids: Vec<String>,
    /// `SecurityGroups` (names, default VPC).
    pub security_group_names: Vec<String>,
    /// `NetworkInterfaces`.
    pub network_interfaces: Vec<NicSpec>,
    /// `Placement.AvailabilityZone`.
    pub availability_zone: Option<String>,
    /// `TagSpecifications` of resource type `instance`.
    pub instance_tags: Tags,
    /// `TagSpecifications` of resource type `network-interface`.
    pub eni_tags: Tags,
    /// `UserData` (base64, as RunInstances takes it). Stored only when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
}

/// One version of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateVersion {
    /// Its number (from 1).
    pub number: u32,
    /// `VersionDescription`.
    pub description: Option<String>,
    /// When it was created.
    pub created: Timestamp,
    /// Its data.
    pub data: TemplateData,
}

/// A launch template record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchTemplate {
    /// `lt-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: crate::Scope,
    /// Its name (unique in the account and region).
    pub name: String,
    /// When it was created.
    pub created: Timestamp,
    /// The default version's number.
    pub default_version: u32,
    /// Its versions, in number order.
    pub versions: Vec<TemplateVersion>,
    /// Tags.
    pub tags: Tags,
}

impl LaunchTemplate {
    /// The latest version's number.
    pub fn latest_version(&self) -> u32 {
        self.versions.last().map_or(1, |v| v.number)
    }

    /// The version a `Version` text names: a number, `$Latest` or `$Default` (none: the
    /// default).
    pub fn version(&self, asked: Option<&str>) -> Result<&TemplateVersion, DomainError> {
        let number = match asked {
            None | Some("$Default") => self.default_version,
            Some("$Latest") => self.latest_version(),
            Some(n) => n.parse::<u32>().map_err(|_| {
                DomainError::Catalog(CatalogProblem::TemplateVersionInvalid {
                    value: n.to_owned(),
                })
            })?,
        };
        self.versions
            .iter()
            .find(|v| v.number == number)
            .ok_or_else(|| {
                DomainError::Catalog(CatalogProblem::TemplateVersionNotFound {
                    id: self.id.clone(),
                    value: asked.unwrap_or("$Default").to_owned(),
                })
            })
    }
}

/// The launch template commands (one variant of the catalogue's command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LaunchTemplateCommand {
    /// CreateLaunchTemplate.
    Create {
        /// The name.
        name: String,
        /// `VersionDescription`.
        description: Option<String>,
        /// `LaunchTemplateData`.
        data: TemplateData,
        /// Tags (TagSpecification `launch-template`).
        tags: Tags,
    },
    /// CreateLaunchTemplateVersion.
    CreateVersion {
        /// The template.
        template: TemplateRef,
        /// `SourceVersion`: the version whose data the new one starts from.
        source_version: Option<String>,
        /// `VersionDescription`.
        description: Option<String>,
        /// `LaunchTemplateData` (merged over the source version's, when given).
        data: TemplateData,
    },
    /// DeleteLaunchTemplate.
    Delete {
        /// The template.
        template: TemplateRef,
    },
}

/// Whether `name` is a template name AWS accepts.
fn valid_name(name: &str) -> bool {
    (3..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"()./_-".contains(&b))
}

/// `over` with every member it leaves out taken from `under`; tags merge key by key.
pub fn merge(over: &TemplateData, under: &TemplateData) -> TemplateData {
    fn pick<T: Clone>(a: &Option<T>, b: &Option<T>) -> Option<T> {
        a.clone().or_else(|| b.clone())
    }
    fn list<T: Clone>(a: &[T], b: &[T]) -> Vec<T> {
        if a.is_empty() {
            b.to_vec()
        } else {
            a.to_vec()
        }
    }
    fn tags(a: &Tags, b: &Tags) -> Tags {
        let mut out = b.clone();
        out.extend(a.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }
    TemplateData {
        image_id: pick(&over.image_id, &under.image_id),
        instance_type: pick(&over.instance_type, &under.instance_type),
        key_name: pick(&over.key_name, &under.key_name),
        security_group_ids: list(&over.security_group_ids, &under.security_group_ids),
        security_group_names: list(&over.security_group_names, &under.security_group_names),
        network_interfaces: list(&over.network_interfaces, &under.network_interfaces),
        availability_zone: pick(&over.availability_zone, &under.availability_zone),
        instance_tags: tags(&over.instance_tags, &under.instance_tags),
        eni_tags: tags(&over.eni_tags, &under.eni_tags),
        user_data: pick(&over.user_data, &under.user_data),
    }
}

impl Tx<'_, '_> {
    /// The caller's templates, in id order.
    pub fn launch_templates(&self) -> impl Iterator<Item = &LaunchTemplate> {
        let scope = self.scope().clone();
        self.world()
            .aws
            .launch_templates()
            .values()
            .filter(move |t| t.scope == scope)
    }

    /// The caller's template `r` names, or its not-found refusal.
    pub fn launch_template(&self, r: &TemplateRef) -> Result<&LaunchTemplate, DomainError> {
        match (&r.id, &r.name) {
            (Some(id), None) => {
                if !crate::aws::has_id_shape(id, "lt") {
                    return Err(DomainError::Catalog(CatalogProblem::TemplateIdMalformed {
                        id: id.clone(),
                    }));
                }
                self.get::<LaunchTemplate>(id)
                    .filter(|t| &t.scope == self.scope())
                    .ok_or_else(|| {
                        DomainError::Catalog(CatalogProblem::TemplateIdNotFound { id: id.clone() })
                    })
            }
            (None, Some(name)) => self
                .launch_templates()
                .find(|t| &t.name == name)
                .ok_or_else(|| {
                    DomainError::Catalog(CatalogProblem::TemplateNameNotFound {
                        name: name.clone(),
                    })
                }),
            _ => Err(DomainError::Catalog(CatalogProblem::TemplateNotNamed)),
        }
    }

    /// Applies a launch template command; the outcome is the template and the version made
    /// (for a delete, the template as it was and its default version).
    pub fn launch_template_command(
        &mut self,
        c: LaunchTemplateCommand,
    ) -> Result<(LaunchTemplate, u32), DomainError> {
        let now = self.now();
        match c {
            LaunchTemplateCommand::Create {
                name,
                description,
                data,
                tags,
            } => {
                if !valid_name(&name) {
                    return Err(DomainError::Catalog(CatalogProblem::TemplateNameInvalid {
                        name,
                    }));
                }
                if self.launch_templates().any(|t| t.name == name) {
                    return Err(DomainError::Catalog(CatalogProblem::TemplateDuplicate {
                        name,
                    }));
                }
                self.check_tag_count(&Tags::new(), &tags, None)?;
                let t = LaunchTemplate {
                    id: self.new_id("lt"),
                    scope: self.scope().clone(),
                    name,
                    created: now,
                    default_version: 1,
                    versions: vec![TemplateVersion {
                        number: 1,
                        description,
                        created: now,
                        data,
                    }],
                    tags,
                };
                self.put(t.clone());
                Ok((t, 1))
            }
            LaunchTemplateCommand::CreateVersion {
                template,
                source_version,
                description,
                data,
            } => {
                let t = self.launch_template(&template)?;
                let data = match &source_version {
                    Some(v) => merge(&data, &t.version(Some(v))?.data),
                    None => data,
                };
                let number = t.latest_version() + 1;
                let id = t.id.clone();
                let t = self.get_mut::<LaunchTemplate>(&id).expect("looked up");
                t.versions.push(TemplateVersion {
                    number,
                    description,
                    created: now,
                    data,
                });
                let t = t.clone();
                Ok((t, number))
            }
            LaunchTemplateCommand::Delete { template } => {
                let t = self.launch_template(&template)?.clone();
                self.remove::<LaunchTemplate>(&t.id);
                let default = t.default_version;
                Ok((t, default))
            }
        }
    }

    /// `input` with the template it names merged under it (the request's own values win), and
    /// the template's id and version; `input` unchanged without a template.
    pub(crate) fn with_template(&self, input: RunInstances) -> Result<RunInstances, DomainError> {
        let Some(spec) = &input.launch_template else {
            return Ok(input);
        };
        let t = self.launch_template(&spec.template)?;
        let under = &t.version(spec.version.as_deref())?.data;
        let over = TemplateData {
            image_id: Some(input.image_id.clone()).filter(|i| !i.is_empty()),
            instance_type: input.instance_type.clone(),
            key_name: input.key_name.clone(),
            security_group_ids: input.security_group_ids.clone(),
            security_group_names: input.security_group_names.clone(),
            network_interfaces: input.network_interfaces.clone(),
            availability_zone: input.availability_zone.clone(),
            instance_tags: input.instance_tags.clone(),
            eni_tags: input.eni_tags.clone(),
            user_data: input.user_data.clone(),
        };
        let m = merge(&over, under);
        // A request that names its own subnet or interfaces keeps its placement: a template's
        // interfaces are not added under a request's SubnetId [choice].
        let nics = if input.subnet_id.is_some() && input.network_interfaces.is_empty() {
            Vec::new()
        } else {
            m.network_interfaces
        };
        Ok(RunInstances {
            image_id: m.image_id.unwrap_or_default(),
            instance_type: m.instance_type,
            key_name: m.key_name,
            security_group_ids: m.security_group_ids,
            security_group_names: m.security_group_names,
            network_interfaces: nics,
            availability_zone: m.availability_zone,
            instance_tags: m.instance_tags,
            eni_tags: m.eni_tags,
            user_data: m.user_data,
            ..input
        })
    }
}

#[cfg(test)]
mod tests;
