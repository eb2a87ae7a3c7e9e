//! The in-memory task store, isolated per user: one user's tasks are invisible to another.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// A task as the API returns it.
#[derive(Clone, Debug, Serialize)]
pub struct Task {
    pub id: u64,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A task's editable fields, already validated.
pub struct TaskFields {
    pub title: String,
    pub description: Option<String>,
}

#[derive(Clone, Default)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: AtomicU64,
    // user id -> task id -> task
    tasks: RwLock<HashMap<String, BTreeMap<u64, Task>>>,
}

impl Store {
    pub fn list(&self, user: &str) -> Vec<Task> {
        self.read(|tasks| {
            tasks
                .get(user)
                .map(|own| own.values().cloned().collect())
                .unwrap_or_default()
        })
    }

    /// Every user that has tasks, with how many, ordered by user id.
    pub fn users(&self) -> Vec<(String, usize)> {
        let mut users: Vec<(String, usize)> = self.read(|tasks| {
            tasks
                .iter()
                .filter(|(_, own)| !own.is_empty())
                .map(|(user, own)| (user.clone(), own.len()))
                .collect()
        });
        users.sort_unstable();
        users
    }

    pub fn get(&self, user: &str, id: u64) -> Option<Task> {
        self.read(|tasks| tasks.get(user).and_then(|own| own.get(&id)).cloned())
    }

    pub fn create(&self, user: &str, fields: TaskFields) -> Task {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let now = now_rfc3339();
        let task = Task {
            id,
            title: fields.title,
            description: fields.description,
            completed: false,
            created_at: now.clone(),
            updated_at: now,
        };
        self.write(|tasks| {
            tasks
                .entry(user.to_owned())
                .or_default()
                .insert(id, task.clone());
        });
        task
    }

    pub fn update(&self, user: &str, id: u64, fields: TaskFields) -> Option<Task> {
        self.modify(user, id, |task| {
            task.title = fields.title;
            task.description = fields.description;
        })
    }

    pub fn complete(&self, user: &str, id: u64) -> Option<Task> {
        self.modify(user, id, |task| task.completed = true)
    }

    pub fn delete(&self, user: &str, id: u64) -> bool {
        self.write(|tasks| {
            tasks
                .get_mut(user)
                .is_some_and(|own| own.remove(&id).is_some())
        })
    }

    fn modify(&self, user: &str, id: u64, change: impl FnOnce(&mut Task)) -> Option<Task> {
        self.write(|tasks| {
            let task = tasks.get_mut(user)?.get_mut(&id)?;
            change(task);
            task.updated_at = now_rfc3339();
            Some(task.clone())
        })
    }

    fn read<T>(&self, f: impl FnOnce(&HashMap<String, BTreeMap<u64, Task>>) -> T) -> T {
        // A panic while holding the lock cannot leave a task half-written (every change is a
        // single assignment), so a poisoned lock is still consistent.
        let guard = self
            .inner
            .tasks
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&guard)
    }

    fn write<T>(&self, f: impl FnOnce(&mut HashMap<String, BTreeMap<u64, Task>>) -> T) -> T {
        let mut guard = self
            .inner
            .tasks
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

/// The current UTC time as RFC 3339 (`2026-11-24T02:48:11Z`).
fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
