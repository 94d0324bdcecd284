//! Store adapters. Each implements every port of `crate::ports` that stores data.

pub mod memory;

pub use memory::MemoryStore;
