//! Workspace root: examples and end-to-end tests live beside this crate.
