//! Which number a bootstrap "standard error" is: lighteval's own convention, or the textbook one.
//! A results file records it (`config_general.evaldeck_stderr_convention`) when it is not
//! lighteval's, so every reader knows what it holds.

/// Which number a bootstrap "standard error" is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum StderrConvention {
    /// lighteval's: the standard deviation of the bootstrap replicates divided by
    /// √(number of replicates) — about √1000 ≈ 32× smaller than the textbook value with 1,000
    /// replicates. The default when writing results, so our files match lighteval's.
    #[default]
    Lighteval,
    /// The textbook bootstrap standard error: the standard deviation of the replicates.
    Standard,
}

impl StderrConvention {
    /// The name a results file records.
    pub fn name(self) -> &'static str {
        match self {
            StderrConvention::Lighteval => "lighteval",
            StderrConvention::Standard => "standard",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "lighteval" => Some(StderrConvention::Lighteval),
            "standard" => Some(StderrConvention::Standard),
            _ => None,
        }
    }

    /// What the config panel says of it.
    pub fn describe(self) -> &'static str {
        match self {
            StderrConvention::Lighteval => "lighteval's (SD of replicates / √replicates)",
            StderrConvention::Standard => "standard",
        }
    }
}

impl std::fmt::Display for StderrConvention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
