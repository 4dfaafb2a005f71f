//! The one test-support layer of the workspace: everything the test suites
//! and benchmarks share.
//!
//! - [`scratch`]: scratch workspaces (a temporary folder holding copies of
//!   some of the repository's files), for the `xtask` tests and benchmark;
//! - [`memory`]: this process's resident memory, for the benchmarks;
//! - [`process`]: a simulator running as a process of its own, for the
//!   `paynet-mock` binary's tests and the simulator benchmark;
//! - with the `client` feature (on by default): fixtures, test clients,
//!   one helper per operation (SoftPOS included), the request shape the
//!   snapshots record, the benchmarks' fixed-answer server ([`mod@bench`]),
//!   and bodies generated from the spec's schemas ([`spec_gen`]).
//!
//! The `xtask` tests use it without the `client` feature, so that testing
//! the generator does not need the generated client to compile.

pub mod memory;
pub mod process;
pub mod scratch;

#[cfg(feature = "client")]
pub mod bench;
#[cfg(feature = "client")]
mod calls;
#[cfg(feature = "client")]
pub mod spec_gen;

#[cfg(feature = "client")]
pub use calls::*;

/// Asserts that `value` matches `pattern` (an optional `if` guard may
/// follow), and shows the value (`Debug`) when it does not.
///
/// ```
/// let parsed: Result<u8, _> = "300".parse::<u8>();
/// paynet_tests::assert_matches!(parsed, Err(_));
/// ```
#[macro_export]
macro_rules! assert_matches {
    ($value:expr, $pattern:pat $(if $guard:expr)? $(,)?) => {{
        let value = &$value;
        assert!(
            matches!(value, $pattern $(if $guard)?),
            "{value:?}\ndoes not match {}",
            stringify!($pattern $(if $guard)?)
        );
    }};
}

#[cfg(test)]
mod tests {
    #[test]
    fn assert_matches_accepts_a_match_with_its_guard() {
        assert_matches!(Some(3), Some(n) if *n == 3);
    }

    #[test]
    #[should_panic(expected = "Some(4)\ndoes not match Some(n) if *n == 3")]
    fn assert_matches_shows_the_value_and_the_pattern_on_a_mismatch() {
        assert_matches!(Some(4), Some(n) if *n == 3);
    }
}

/// The workspace README's examples compile as doctests of this crate, which
/// is never published and so may read a file outside its own directory.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
