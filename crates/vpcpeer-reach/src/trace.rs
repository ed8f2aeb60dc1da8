//! A [`Trace`]: the hops and blockers of one query as a walk records them, leg by leg (shared by
//! the GCP and Azure walks and the cross-cloud verdict).

use crate::model::{Code, ComponentRef, Explanation, Fact, Header, Hop, Leg, RuleRef, Verdict};

/// Hops and blockers of one query, per leg (shared by the GCP and Azure engines).
pub(crate) struct Trace {
    /// The leg being walked.
    pub leg: Leg,
    pub forward: Vec<Hop>,
    pub ret: Vec<Hop>,
    pub blockers: Vec<Explanation>,
}

impl Trace {
    pub fn new() -> Self {
        Trace {
            leg: Leg::Forward,
            forward: Vec::new(),
            ret: Vec::new(),
            blockers: Vec::new(),
        }
    }

    pub fn hop(&mut self, component: ComponentRef, rule: Option<RuleRef>, h: Header) {
        let hop = Hop {
            component,
            rule,
            inbound: h,
            outbound: h,
        };
        match self.leg {
            Leg::Forward => self.forward.push(hop),
            Leg::Return => self.ret.push(hop),
        }
    }

    pub fn block(&mut self, code: Code, component: ComponentRef, detail: String) {
        self.block_with(code, component, detail, None);
    }

    /// A blocker with a [`Fact`] for its remedy.
    pub fn block_with(
        &mut self,
        code: Code,
        component: ComponentRef,
        detail: String,
        fact: Option<Fact>,
    ) {
        self.blockers.push(Explanation {
            code,
            component,
            leg: self.leg,
            detail,
            fact,
        });
    }

    pub fn verdict(self) -> Verdict {
        Verdict {
            reachable: self.blockers.is_empty(),
            forward: self.forward,
            ret: self.ret,
            blockers: self.blockers,
        }
    }
}
