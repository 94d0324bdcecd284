//! Store adapters. Each implements every store port of `crate::ports`; the conformance suite
//! (`shared/tests/store_conformance.rs`) holds them to the same behaviour.

mod cursor;
pub mod dynamodb;
pub mod memory;

pub use dynamodb::DynamoStore;
pub use memory::MemoryStore;
