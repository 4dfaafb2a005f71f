//! `ClientBuilder::from_env`: one call reads PAYNET_BASE_URL or PAYNET_ENV,
//! and PAYNET_SECRET_KEY.
//!
//! Changing this process's environment takes `unsafe` code, which the
//! workspace forbids; so each case runs this test binary again as a child
//! process with exactly the variables of the case set, and the child checks
//! what `from_env` makes of them.

use std::process::Command;

use paynet_ext::{ClientBuilder, ConfigError, Environment, SecretKey};
use paynet_mock::{CAPTURE_EXAMPLE_XACT_ID, Config, MockServer};
use paynet_tests::{assert_matches, capture_reversal};

/// The variable that names the case a child checks.
const CASE: &str = "PAYNET_TEST_FROM_ENV_CASE";
const VARIABLES: [&str; 3] = ["PAYNET_BASE_URL", "PAYNET_ENV", "PAYNET_SECRET_KEY"];

/// Runs `case` in a child with `vars` set and the other PAYNET_ variables
/// unset; panics with the child's output unless its check ran and passed.
fn in_child(case: &str, vars: &[(&str, &str)]) {
    let mut command = Command::new(std::env::current_exe().expect("this test binary"));
    command
        .args(["child", "--exact", "--ignored", "--test-threads=1"])
        .env(CASE, case);
    for name in VARIABLES {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    // The parent's simulator keeps serving on the other workers meanwhile.
    let output =
        tokio::task::block_in_place(|| command.output()).expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "case {case}: {}\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_configures_the_client_in_one_call() {
    let mock = MockServer::start(Config::default()).await.unwrap();
    let base = mock.base_url();
    let key_with_newline = format!("{}\n", mock.secret_key());

    in_child("nothing set", &[]);
    in_child("unknown environment", &[("PAYNET_ENV", "staging")]);
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
        "a blank key" => assert_matches!(
            ClientBuilder::from_env(),
            Err(ConfigError::InvalidSecretKey(_))
        ),
        "no key" => {
            assert_matches!(
                SecretKey::from_env(),
                Err(ConfigError::MissingVariable("PAYNET_SECRET_KEY"))
            );
            // Without a key the client still builds (SoftPOS needs none) but
            // will not send a classic call.
            let keyless = ClientBuilder::from_env().unwrap().build().unwrap();
            let err = capture_reversal(&keyless, CAPTURE_EXAMPLE_XACT_ID)
                .await
                .unwrap_err();
            assert_matches!(err, paynet_ext::Error::InvalidRequest { .. });
        }
        other => panic!("unknown case {other:?}"),
    }
}
