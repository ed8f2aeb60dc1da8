//! The EC2 words of the catalogue area's refusals (key pairs and launch templates): code and
//! message of each [`CatalogProblem`]. AWS's texts where known; the others are marked
//! [UNVERIFIED].

use vpcpeer_model::CatalogProblem;

use crate::messages::Words;

/// The code and message of `p`.
pub(crate) fn words(p: &CatalogProblem) -> Words {
    match p {
        CatalogProblem::KeyPairDuplicate { name } => (
            "InvalidKeyPair.Duplicate",
            format!("The keypair '{name}' already exists."),
        ),
        CatalogProblem::KeyPairNotFound { name: Some(name), .. } => (
            "InvalidKeyPair.NotFound",
            format!("The key pair '{name}' does not exist"),
        ),
        CatalogProblem::KeyPairNotFound { id, .. } => (
            "InvalidKeyPair.NotFound",
            format!("The key pair ID '{}' does not exist", id.as_deref().unwrap_or_default()),
        ),
        // [UNVERIFIED wording]
        CatalogProblem::KeyNameInvalid { name } => (
            "InvalidParameterValue",
            format!("Value ({name}) for parameter keyName is invalid. Key names must be 1 to 255 ASCII characters."),
        ),
        CatalogProblem::KeyNameMissing => (
            "MissingParameter",
            "The request must contain the parameter KeyName or KeyPairId".into(),
        ),
        CatalogProblem::KeyFormat => (
            "InvalidKey.Format",
            "Key is not in valid OpenSSH public key format".into(),
        ),
        CatalogProblem::TemplateDuplicate { name } => (
            "InvalidLaunchTemplateName.AlreadyExistsException",
            format!("Launch template name already in use: {name}"),
        ),
        // [UNVERIFIED wording]
        CatalogProblem::TemplateNameInvalid { name } => (
            "InvalidLaunchTemplateName.MalformedException",
            format!("A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.' ({name})"),
        ),
        CatalogProblem::TemplateIdNotFound { id } => (
            "InvalidLaunchTemplateId.NotFound",
            format!("The specified launch template, with template ID {id}, does not exist."),
        ),
        CatalogProblem::TemplateIdMalformed { id } => (
            "InvalidLaunchTemplateId.Malformed",
            format!("The specified ID for the launch template ({id}) is not valid."),
        ),
        CatalogProblem::TemplateNameNotFound { name } => (
            "InvalidLaunchTemplateName.NotFoundException",
            format!("The specified launch template, with template name {name}, does not exist."),
        ),
        CatalogProblem::TemplateNotNamed => (
            "MissingParameter",
            "The request must contain exactly one of the parameters LaunchTemplateId or LaunchTemplateName".into(),
        ),
        CatalogProblem::TemplateVersionNotFound { id, value: version } => (
            "InvalidLaunchTemplateId.VersionNotFound",
            format!("Could not find launch template version {version} for launch template {id}"),
        ),
        CatalogProblem::TemplateVersionInvalid { value: version } => (
            "InvalidLaunchTemplateId.VersionNotFound",
            format!("Could not find launch template version {version}"),
        ),
    }
}
