//! The refusals of the catalogue area: key pairs and launch templates (one variant of
//! [`DomainError`](crate::DomainError), worded by each face).

/// A key pair or launch template request refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogProblem {
    /// A key pair of that name exists already.
    KeyPairDuplicate {
        /// The name.
        name: String,
    },
    /// No key pair of that name or id.
    KeyPairNotFound {
        /// The name asked for, if by name.
        name: Option<String>,
        /// The id asked for, if by id.
        id: Option<String>,
    },
    /// A key name that is empty, too long or not ASCII.
    KeyNameInvalid {
        /// The name.
        name: String,
    },
    /// Neither a key name nor a key pair id was given.
    KeyNameMissing,
    /// Imported public key material that is not an OpenSSH RSA or Ed25519 public key.
    KeyFormat,
    /// A launch template of that name exists already.
    TemplateDuplicate {
        /// The name.
        name: String,
    },
    /// A launch template name that is too short, too long or of refused characters.
    TemplateNameInvalid {
        /// The name.
        name: String,
    },
    /// No launch template with that id.
    TemplateIdNotFound {
        /// The id.
        id: String,
    },
    /// A launch template id of the wrong shape.
    TemplateIdMalformed {
        /// The id.
        id: String,
    },
    /// No launch template with that name.
    TemplateNameNotFound {
        /// The name.
        name: String,
    },
    /// Neither a launch template id nor a name was given (or both were).
    TemplateNotNamed,
    /// A version the template does not have.
    TemplateVersionNotFound {
        /// The template.
        id: String,
        /// The version, as given.
        value: String,
    },
    /// A version text that is not a number, `$Latest` or `$Default`.
    TemplateVersionInvalid {
        /// The version, as given.
        value: String,
    },
}
