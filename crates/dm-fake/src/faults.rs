//! Deterministic fault selection.

use std::collections::VecDeque;

use crate::clock::mix;
use crate::config::{FaultConfig, FaultKind};

/// Chooses the fault (if any) for each request.
#[derive(Debug)]
pub(crate) struct FaultPlan {
    pub config: FaultConfig,
    seed: u64,
    pub queue: VecDeque<FaultKind>,
}

impl FaultPlan {
    pub(crate) fn new(config: FaultConfig, seed: u64) -> Self {
        Self {
            config,
            seed,
            queue: VecDeque::new(),
        }
    }

    /// The fault for DM request number `n` (1-based).
    pub(crate) fn pick(&mut self, n: u64) -> Option<FaultKind> {
        if let Some(f) = self.queue.pop_front() {
            return Some(f);
        }
        if let Some(f) = self.config.schedule.get(&n) {
            return Some(f.clone());
        }
        if self.config.rate_percent == 0 || self.config.kinds.is_empty() {
            return None;
        }
        let h = mix(self.seed ^ mix(n));
        if h % 100 < u64::from(self.config.rate_percent) {
            let i = ((h >> 32) % self.config.kinds.len() as u64) as usize;
            return self.config.kinds.get(i).cloned();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_from_seed() {
        let cfg = FaultConfig::random(
            30,
            vec![FaultKind::ServerError(503), FaultKind::MalformedJson],
        );
        let run = |seed| {
            let mut p = FaultPlan::new(cfg.clone(), seed);
            (1..=200).map(|n| p.pick(n)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let hits = run(7).iter().filter(|f| f.is_some()).count();
        assert!((30..=90).contains(&hits), "{hits}");
    }
}
