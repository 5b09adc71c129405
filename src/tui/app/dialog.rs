//! The save and push dialogs: which run they act on, opening them, their keys.

use super::*;

impl App {
    /// The run `S` and `P` act on: the selected one on the Runs screen, the open one elsewhere.
    pub(super) fn current_run(&self) -> Option<Run> {
        match self.screen() {
            Screen::Runs => match &self.runs.data {
                Loadable::Ready(data) => data
                    .runs
                    .get(self.runs.cursor.selected)
                    .map(|(run, _)| run.clone()),
                _ => None,
            },
            Screen::Results | Screen::Samples | Screen::Sample => {
                self.results().map(|r| r.run.clone())
            }
            Screen::Diff
            | Screen::Flips
            | Screen::FlipSample
            | Screen::Agreement
            | Screen::AgreementSample => None,
            Screen::Compare => self.compare().and_then(|c| c.runs.get(c.column).cloned()),
        }
    }

    pub(super) fn open_dialog(&mut self, action: Action) -> Command {
        if let Some(job) = &self.job {
            let text = format!("{} is still running; wait for it to finish", job.what);
            self.fail(text);
            return Command::None;
        }
        let Some(run) = self.current_run() else {
            self.fail("open or select a run first");
            return Command::None;
        };
        // Another harness's run is its files, with or without a results file of lighteval's.
        if run.results_path.is_none() && run.log.is_none() {
            self.fail("this run has no results file: only complete runs can be saved or pushed");
            return Command::None;
        }
        self.dialog = Some(match action {
            Action::SaveRun => Dialog::Save(SaveDialog {
                run,
                output_dir: "results".into(),
                error: None,
            }),
            _ => Dialog::Push(PushDialog::new(
                run,
                self.last_org.clone(),
                self.hub.url.clone(),
                self.hub.has_token(),
            )),
        });
        Command::None
    }

    pub(super) fn on_dialog_key(&mut self, key: KeyEvent) -> Command {
        let Some(dialog) = self.dialog.as_mut() else {
            return Command::None;
        };
        match dialog.on_key(key) {
            Outcome::Stay => Command::None,
            Outcome::Cancel => {
                self.dialog = None;
                Command::None
            }
            Outcome::Save { run, output_dir } => {
                self.dialog = None;
                let generation = self.generation();
                self.job = Some(Job {
                    generation,
                    what: "a save",
                    progress: format!("saving {} @ {} to {output_dir} …", run.model, run.date_id),
                });
                Command::SaveRun {
                    generation,
                    run,
                    output_dir: PathBuf::from(output_dir),
                }
            }
            Outcome::Push { run, org, public } => {
                self.dialog = None;
                self.last_org = org.clone();
                let generation = self.generation();
                self.job = Some(Job {
                    generation,
                    what: "a push",
                    progress: format!("pushing {} @ {} …", run.model, run.date_id),
                });
                Command::PushRun {
                    generation,
                    run,
                    org,
                    public,
                    endpoint: self.hub.clone(),
                }
            }
        }
    }
}
