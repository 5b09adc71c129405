//! The save (`S`) and push (`P`) dialogs: their state and their keys. Submitting one becomes a
//! background job in `app`; the dialogs themselves do no I/O.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::publish::{self, details_repo_id};
use crate::store::Run;

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Save(SaveDialog),
    Push(PushDialog),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SaveDialog {
    pub run: Run,
    pub output_dir: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PushDialog {
    pub run: Run,
    pub org: String,
    pub public: bool,
    pub focus: PushField,
    /// Where the Hub is, and whether a token was found (never the token).
    pub endpoint: String,
    pub token_present: bool,
    /// The repo paths the push will write.
    pub files: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushField {
    Org,
    Public,
}

/// What a key did to a dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Stay,
    Cancel,
    Save { run: Run, output_dir: String },
    Push { run: Run, org: String, public: bool },
}

impl PushDialog {
    pub fn new(run: Run, org: String, endpoint: String, token_present: bool) -> PushDialog {
        let mut files = publish::planned_paths(&run);
        files.push("README.md".into());
        PushDialog {
            run,
            org,
            public: false,
            focus: PushField::Org,
            endpoint,
            token_present,
            files,
            error: None,
        }
    }

    /// The repo the push goes to, as far as it is known.
    pub fn repo_id(&self) -> String {
        let org = if self.org.is_empty() {
            "ORG"
        } else {
            &self.org
        };
        details_repo_id(org, &self.run.model, self.public)
    }
}

impl Dialog {
    pub fn on_key(&mut self, key: KeyEvent) -> Outcome {
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return Outcome::Stay;
        }
        match self {
            Dialog::Save(dialog) => match key.code {
                KeyCode::Esc => Outcome::Cancel,
                KeyCode::Enter if dialog.output_dir.trim().is_empty() => {
                    dialog.error = Some("the output folder is empty".into());
                    Outcome::Stay
                }
                KeyCode::Enter => Outcome::Save {
                    run: dialog.run.clone(),
                    output_dir: dialog.output_dir.trim().to_owned(),
                },
                KeyCode::Backspace => {
                    dialog.output_dir.pop();
                    dialog.error = None;
                    Outcome::Stay
                }
                KeyCode::Char(c) => {
                    dialog.output_dir.push(c);
                    dialog.error = None;
                    Outcome::Stay
                }
                _ => Outcome::Stay,
            },
            Dialog::Push(dialog) => match (key.code, dialog.focus) {
                (KeyCode::Esc, _) => Outcome::Cancel,
                (KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down, _) => {
                    dialog.focus = match dialog.focus {
                        PushField::Org => PushField::Public,
                        PushField::Public => PushField::Org,
                    };
                    Outcome::Stay
                }
                (KeyCode::Char(' '), PushField::Public) => {
                    dialog.public = !dialog.public;
                    Outcome::Stay
                }
                (KeyCode::Enter, _) => {
                    if !dialog.token_present {
                        dialog.error = Some(
                            "no Hugging Face token: set HF_TOKEN or run `hf auth login`, then restart evaldeck"
                                .into(),
                        );
                        return Outcome::Stay;
                    }
                    if let Err(error) = publish::check_org(&dialog.org) {
                        dialog.error = Some(error.to_string());
                        dialog.focus = PushField::Org;
                        return Outcome::Stay;
                    }
                    Outcome::Push {
                        run: dialog.run.clone(),
                        org: dialog.org.clone(),
                        public: dialog.public,
                    }
                }
                (KeyCode::Backspace, PushField::Org) => {
                    dialog.org.pop();
                    dialog.error = None;
                    Outcome::Stay
                }
                (KeyCode::Char(c), PushField::Org) => {
                    dialog.org.push(c);
                    dialog.error = None;
                    Outcome::Stay
                }
                _ => Outcome::Stay,
            },
        }
    }
}
