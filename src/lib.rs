//! `dossier`: prepare Shanghai residence-permit points applications (上海居住证积分) offline.
//!
//! The data flows through the modules in this order: [`profile`] (the applicant's circumstances,
//! read from `applicant.toml`) → [`rules`] (the rulebook, with CEL conditions) → [`checklist`]
//! (the materials this applicant needs) and [`score`] (the simulated points) → [`scan`] (the
//! scanned files matched to the checklist, with [`finding`]s) → [`bundle`] (the BagIt ZIP) and
//! [`render`] (the PDFs). [`cli`] holds the commands; it is the only place that prints, with [`desktop`]
//! (a double-click or a folder dropped onto `dossier.exe`). [`platform`]: owner-only outputs and
//! the file names Windows cannot use.

pub mod bundle;
pub mod checklist;
pub mod cli;
pub mod copies;
pub mod date;
pub mod desktop;
pub mod error;
pub mod finding;
pub mod idnum;
pub mod pack;
pub mod platform;
pub mod profile;
pub mod render;
pub mod rules;
pub mod scan;
pub mod score;

pub use error::Error;
