//! The screen stack: `Enter` pushes a screen, `Esc` pops it, and the Runs screen is always at
//! the bottom. A screen that owns state carries it; a view of its parent's state (the flips of
//! a diff, one sample of the agreement grid) is a plain marker above that parent.

use super::*;

/// One screen on the stack.
// A screen's state lives here for as long as the screen is open; boxing would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Layer {
    Runs,
    Results(ResultsState),
    Samples(SamplesState),
    Sample(SampleState),
    Diff(DiffState),
    /// The diff's flips of one task (the [`DiffState`] below).
    Flips,
    /// One flipped sample, side by side.
    FlipSample,
    Compare(CompareState),
    Agreement(AgreementState),
    /// One sample of the agreement grid below.
    AgreementSample,
}

impl Layer {
    pub fn screen(&self) -> Screen {
        match self {
            Layer::Runs => Screen::Runs,
            Layer::Results(_) => Screen::Results,
            Layer::Samples(_) => Screen::Samples,
            Layer::Sample(_) => Screen::Sample,
            Layer::Diff(_) => Screen::Diff,
            Layer::Flips => Screen::Flips,
            Layer::FlipSample => Screen::FlipSample,
            Layer::Compare(_) => Screen::Compare,
            Layer::Agreement(_) => Screen::Agreement,
            Layer::AgreementSample => Screen::AgreementSample,
        }
    }
}

/// `name()` and `name_mut()`: the nearest open screen of that kind, from the top.
macro_rules! find_state {
    ($($name:ident, $name_mut:ident: $variant:ident($state:ty);)*) => {
        impl App {
            $(
                pub fn $name(&self) -> Option<&$state> {
                    self.stack.iter().rev().find_map(|layer| match layer {
                        Layer::$variant(state) => Some(state),
                        _ => None,
                    })
                }

                pub fn $name_mut(&mut self) -> Option<&mut $state> {
                    self.stack.iter_mut().rev().find_map(|layer| match layer {
                        Layer::$variant(state) => Some(state),
                        _ => None,
                    })
                }
            )*
        }
    };
}

find_state! {
    results, results_mut: Results(ResultsState);
    samples, samples_mut: Samples(SamplesState);
    sample, sample_mut: Sample(SampleState);
    diff, diff_mut: Diff(DiffState);
    compare, compare_mut: Compare(CompareState);
    agreement, agreement_mut: Agreement(AgreementState);
}

impl App {
    /// The screen on top.
    pub fn screen(&self) -> Screen {
        self.stack.last().map_or(Screen::Runs, Layer::screen)
    }

    /// The open screens, bottom first.
    pub fn stack(&self) -> &[Layer] {
        &self.stack
    }

    /// Opens `layer` on top; a screen of the same kind on top (the next sample) is replaced.
    pub(super) fn open(&mut self, layer: Layer) {
        if self.screen() == layer.screen() && self.stack.len() > 1 {
            self.stack.pop();
        }
        self.stack.push(layer);
    }

    /// Closes the screen on top; the Runs screen stays.
    pub(super) fn back(&mut self) {
        self.status = None;
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }
}
