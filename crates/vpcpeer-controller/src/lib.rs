//! The controller's sans-IO core. It reads a topology file (`topology`), checks and resolves it
//! (`desired::validate`), and compares it with what the clouds report (`observed`) to give a
//! plan (`plan::plan`, `plan::plan_destroy`): ordered steps, each with its reason, and the
//! conflicts that stop it. It does no I/O and knows no wire format: drivers (one per cloud, each
//! a client of that cloud's public API) read the clouds into an `Observed` and carry out the
//! steps. How the controller recognises what it owns is in `names`; which gateways an encrypted
//! link routes through, after health checks and failover, is `health`.

pub mod apply;
pub mod cloud;
pub mod desired;
pub mod gateway;
pub mod health;
pub mod names;
pub mod observed;
pub mod plan;
pub mod problem;
pub mod topology;

pub use desired::{validate, Cloud, Desired, Notice, Problem, Refusal};
pub use observed::Observed;
pub use plan::{plan, plan_destroy, Action, Conflict, Plan, Reason, Step};
