//! The users this process synced in the last few seconds, kept in memory in front of Redis.
//!
//! A mutex around a map is all it takes.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::extract::CurrentUser;

/// Recently synced users by external id, each kept for a short time.
///
/// Short, because another instance of the app may drop a user meanwhile (on a provider's
/// webhook) and only its own memory and Redis learn of it.
pub struct RecentUsers {
    ttl: Duration,
    capacity: usize,
    users: Mutex<HashMap<String, (CurrentUser, Instant)>>,
}

impl Default for RecentUsers {
    /// Five seconds, at most ten thousand users.
    fn default() -> Self {
        Self::new(Duration::from_secs(5), 10_000)
    }
}

impl RecentUsers {
    /// Keeps each user for `ttl`; past `capacity` users, expired ones are swept (and all of
    /// them if none has expired), so that churn cannot grow the map without bound.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            users: Mutex::default(),
        }
    }

    /// The user synced under `external_id` less than the time to live ago.
    pub fn get(&self, external_id: &str) -> Option<CurrentUser> {
        let users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        let (user, expires) = users.get(external_id)?;
        (Instant::now() < *expires).then(|| user.clone())
    }

    /// Keeps `user` from now on, over any earlier entry.
    pub fn insert(&self, user: CurrentUser) {
        let now = Instant::now();
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if users.len() >= self.capacity && !users.contains_key(&user.external_id) {
            users.retain(|_, (_, expires)| *expires > now);
            if users.len() >= self.capacity {
                users.clear();
            }
        }
        users.insert(user.external_id.clone(), (user, now + self.ttl));
    }

    /// Forgets the user, if kept.
    pub fn remove(&self, external_id: &str) {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        users.remove(external_id);
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn user(external_id: &str) -> CurrentUser {
        CurrentUser {
            id: Uuid::new_v4(),
            external_id: external_id.to_owned(),
            email: None,
            name: None,
            role: "user".to_owned(),
        }
    }

    #[test]
    fn a_kept_user_is_returned_until_it_expires() {
        let recent = RecentUsers::new(Duration::from_secs(60), 10);
        let ada = user("ada");

        recent.insert(ada.clone());

        assert_eq!(recent.get("ada"), Some(ada));
        assert_eq!(recent.get("grace"), None);
    }

    #[test]
    fn an_expired_user_is_not_returned() {
        let recent = RecentUsers::new(Duration::ZERO, 10);

        recent.insert(user("ada"));

        assert_eq!(recent.get("ada"), None);
    }

    #[test]
    fn a_removed_user_is_not_returned() {
        let recent = RecentUsers::new(Duration::from_secs(60), 10);
        recent.insert(user("ada"));

        recent.remove("ada");

        assert_eq!(recent.get("ada"), None);
    }

    #[test]
    fn a_full_map_makes_room_for_a_new_user() {
        let recent = RecentUsers::new(Duration::from_secs(60), 2);
        recent.insert(user("ada"));
        recent.insert(user("grace"));

        recent.insert(user("edsger"));

        assert!(recent.get("edsger").is_some());
        assert!(recent.users.lock().unwrap().len() <= 2);
    }
}
