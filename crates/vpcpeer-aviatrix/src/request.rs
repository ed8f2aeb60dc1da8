//! A request to `/v2/api`: the fields of the query string and of a form-encoded body (the
//! Aviatrix Terraform provider posts forms; older clients send query parameters), merged, the
//! body's value winning when both carry a field. `action` names what to do and `CID` the
//! session (spec `gcp-azure-aviatrix.md` §3.1).

use std::collections::BTreeMap;

/// A parsed request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    fields: BTreeMap<String, String>,
}

impl Request {
    /// The fields of `query` (without its `?`) and of `body` (form-encoded). Text that is not a
    /// form (JSON, binary) gives no fields, so it is refused for its missing `action`.
    pub fn parse(query: &str, body: &[u8]) -> Request {
        let mut fields = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            fields.insert(k.into_owned(), v.into_owned());
        }
        for (k, v) in form_urlencoded::parse(body) {
            fields.insert(k.into_owned(), v.into_owned());
        }
        Request { fields }
    }

    /// A request of these fields (for tests and tools).
    pub fn of(pairs: &[(&str, &str)]) -> Request {
        Request {
            fields: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// The action (`login`, `peer_vpc_pair`, …), when given.
    pub fn action(&self) -> Option<&str> {
        self.get("action")
    }

    /// A field's value, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The first of `names` that is given (fields the provider has spelt two ways).
    pub fn any(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.get(n))
    }

    /// A required field, or the reason it is missing.
    pub fn need(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .ok_or_else(|| format!("Missing required parameter: {name}"))
    }

    /// A comma-separated list (`peer1_rtb_id=rtb-1,rtb-2`), blanks dropped.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A yes/no flag (`ha_enabled=yes`; also `true`/`false`); `None` when absent or neither.
    pub fn flag(&self, name: &str) -> Option<bool> {
        match self.get(name)?.to_ascii_lowercase().as_str() {
            "yes" | "true" | "on" | "1" => Some(true),
            "no" | "false" | "off" | "0" => Some(false),
            _ => None,
        }
    }
}
