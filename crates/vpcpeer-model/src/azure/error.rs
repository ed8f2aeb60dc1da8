//! [`AzureError`]: a failed Azure command, already in ARM's terms (code, message, HTTP status).
//!
//! Azure's validation is specific to ARM (its codes name Azure concepts such as remote gateways
//! and sync), so these commands report ARM errors directly rather than through the cloud-neutral
//! `DomainError`, whose mapping to EC2 codes is exhaustive.

/// An ARM error: `{"error": {"code", "message"}}` with an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AzureError {
    /// HTTP status.
    pub status: u16,
    /// ARM error code.
    pub code: String,
    /// Message.
    pub message: String,
}

impl AzureError {
    /// A 400 with `code`.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// An error with `status` and `code`.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        AzureError {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// 404 `ResourceNotFound` for a resource of `kind` (`Microsoft.Network/virtualNetworks`).
    pub fn not_found(kind: &str, name: &str, resource_group: &str) -> Self {
        Self::new(
            404,
            "ResourceNotFound",
            format!("The Resource '{kind}/{name}' under resource group '{resource_group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"),
        )
    }

    /// 404 `NotFound` for a child resource or an id that names nothing.
    pub fn not_found_id(id: &str) -> Self {
        Self::new(404, "NotFound", format!("Resource {id} not found."))
    }

    /// 404 `ResourceGroupNotFound`.
    pub fn resource_group_not_found(name: &str) -> Self {
        Self::new(
            404,
            "ResourceGroupNotFound",
            format!("Resource group '{name}' could not be found."),
        )
    }
}
