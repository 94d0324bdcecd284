//! An append-only file of JSON lines that the test scripts name in an environment variable
//! (`AWS_CALL_LOG`, `ANSWER_LOG`) and read after the tests: each line is written whole under a
//! lock, so several servers, and several test processes, may append to one file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::Value;

#[derive(Clone, Debug)]
pub struct JsonLines {
    file: Arc<Mutex<File>>,
}

impl JsonLines {
    /// The file the variable `name` names, if it names one.
    pub fn from_env(name: &str) -> anyhow::Result<Option<Self>> {
        match std::env::var_os(name) {
            Some(path) if !path.is_empty() => Ok(Some(Self::open(Path::new(&path))?)),
            _ => Ok(None),
        }
    }

    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            file: Arc::new(Mutex::new(file)),
        })
    }

    pub fn append(&self, record: &Value) {
        let mut line = record.to_string();
        line.push('\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(error) = file.write_all(line.as_bytes()) {
            tracing::error!(%error, "appending to a JSON-lines log");
        }
    }
}
