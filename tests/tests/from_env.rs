//! `ClientBuilder::from_env`: one call reads PAYNET_BASE_URL or PAYNET_ENV,
//! and PAYNET_SECRET_KEY, which it requires; `from_env_without_secret_key`
//! reads no key, for SoftPOS alone.
//!
//! Changing this process's environment takes `unsafe` code, which the
//! workspace forbids; so each case runs this test binary again as a child
//! process with exactly the variables of the case set, and the child checks
//! what `from_env` makes of them.

use paynet_ext::{ClientBuilder, ConfigError, Environment, SecretKey};
use paynet_mock::{CAPTURE_EXAMPLE_XACT_ID, Config, MockServer, PREAUTH_EXAMPLE_XACT_ID};
use paynet_tests::process::run_ignored_test_in_child;
use paynet_tests::{assert_matches, capture_reversal, init_reversal};

/// The variable that names the case a child checks.
const CASE: &str = "PAYNET_TEST_FROM_ENV_CASE";

/// Runs `case` in a child with `vars` set and the other PAYNET_ variables
/// unset.
fn in_child(case: &str, vars: &[(&str, &str)]) {
    let mut all = vec![(CASE, Some(case))];
    for name in ["PAYNET_BASE_URL", "PAYNET_ENV", "PAYNET_SECRET_KEY"] {
        all.push((name, vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)));
    }
    // The parent's simulator keeps serving on the other workers meanwhile.
    tokio::task::block_in_place(|| run_ignored_test_in_child("child", &all));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_configures_the_client_in_one_call() {
    let mock = MockServer::start(Config::default()).await.unwrap();
    let base = mock.base_url();
    let key_with_newline = format!("{}\n", mock.secret_key());

    in_child("nothing set", &[]);
    in_child("unknown environment", &[("PAYNET_ENV", "staging")]);
    // No aliases: an unknown value never picks an environment.
    for alias in ["prod", "live", "test"] {
        in_child("an alias", &[("PAYNET_ENV", alias)]);
    }
    in_child("sandbox", &[("PAYNET_ENV", "sandbox")]);
    // PAYNET_BASE_URL wins over PAYNET_ENV, and is checked.
    in_child(
        "plain http",
        &[
            ("PAYNET_ENV", "sandbox"),
            ("PAYNET_BASE_URL", "http://192.0.2.1:8080"),
        ],
    );
    in_child(
        "a working client",
        &[
            ("PAYNET_ENV", "sandbox"),
            ("PAYNET_BASE_URL", &base),
            ("PAYNET_SECRET_KEY", &key_with_newline),
        ],
    );
    in_child(
        "a blank key",
        &[("PAYNET_BASE_URL", &base), ("PAYNET_SECRET_KEY", "  ")],
    );
    in_child("no key", &[("PAYNET_BASE_URL", &base)]);
    in_child(
        "SoftPOS only",
        &[
            ("PAYNET_BASE_URL", &base),
            ("PAYNET_SECRET_KEY", mock.secret_key()),
        ],
    );
    mock.shutdown().await;
}

/// The child's side: checks what `from_env` makes of the environment the
/// parent set for the case named in PAYNET_TEST_FROM_ENV_CASE.
#[tokio::test(flavor = "current_thread")]
#[ignore = "run by the_environment_configures_the_client_in_one_call"]
async fn child() {
    let case = std::env::var(CASE).expect("run as a child, with a case");
    match case.as_str() {
        "nothing set" => {
            assert_matches!(ClientBuilder::from_env(), Err(ConfigError::NoEnvironment))
        }
        "unknown environment" => {
            let err = ClientBuilder::from_env().unwrap_err();
            assert_eq!(
                err.to_string(),
                "PAYNET_ENV is \"staging\"; expected production or sandbox"
            );
        }
        "sandbox" => assert_eq!(Environment::from_env().unwrap(), Environment::Sandbox),
        "plain http" => assert_matches!(
            ClientBuilder::from_env(),
            Err(ConfigError::PlainHttp { .. })
        ),
        "a working client" => {
            let client = ClientBuilder::from_env().unwrap().build().unwrap();
            let reply = capture_reversal(&client, CAPTURE_EXAMPLE_XACT_ID)
                .await
                .unwrap();
            assert!(reply.result_code().is_success());
        }
        "a blank key" => {
            let err = ClientBuilder::from_env().unwrap_err();
            assert_matches!(err, ConfigError::InvalidSecretKey(_));
            // the message names the variable, as for a missing one
            assert!(
                err.to_string()
                    .contains("PAYNET_SECRET_KEY is set but empty"),
                "{err}"
            );
        }
        "an alias" => {
            let alias = std::env::var("PAYNET_ENV").unwrap();
            let err = Environment::from_env().unwrap_err();
            assert_matches!(err, ConfigError::UnknownEnvironment { value } if *value == alias);
        }
        "no key" => {
            assert_matches!(
                SecretKey::from_env(),
                Err(ConfigError::MissingVariable("PAYNET_SECRET_KEY"))
            );
            // Without a key, from_env fails at once and names the variable
            // (as `main` would print it), instead of the first call failing
            // later.
            let err = ClientBuilder::from_env().unwrap_err();
            assert_matches!(err, ConfigError::MissingVariable("PAYNET_SECRET_KEY"));
            assert_eq!(
                format!("{err:?}"),
                "the environment variable PAYNET_SECRET_KEY is not set"
            );
        }
        "SoftPOS only" => {
            // A client for SoftPOS alone is asked for by name. It reads no
            // key even when one is set, sends SoftPOS calls and refuses
            // classic ones unsent.
            let softpos_only = ClientBuilder::from_env_without_secret_key()
                .unwrap()
                .build()
                .unwrap();
            let err = capture_reversal(&softpos_only, CAPTURE_EXAMPLE_XACT_ID)
                .await
                .unwrap_err();
            assert_matches!(err, paynet_ext::Error::InvalidRequest { .. });
            // Refused before sending: nothing happened, and sending it
            // again would be refused again.
            assert!(!err.is_outcome_unknown() && !err.is_retry_safe(), "{err}");
            let started = init_reversal(
                &softpos_only,
                Config::DEFAULT_SESSION_KEY,
                PREAUTH_EXAMPLE_XACT_ID,
            )
            .await
            .unwrap();
            assert!(started.result_code().is_success());
        }
        other => panic!("unknown case {other:?}"),
    }
}
