//! `ClientBuilder::from_env`: one call reads PAYNET_BASE_URL or PAYNET_ENV,
//! and PAYNET_SECRET_KEY, which it requires; `from_env_without_secret_key`
//! reads no key, for SoftPOS alone. A test binary of its own with a single
//! test, because it changes this process's environment.

use paynet_ext::{ClientBuilder, ConfigError, Environment, SecretKey};
use paynet_mock::{CAPTURE_EXAMPLE_XACT_ID, Config, MockServer, PREAUTH_EXAMPLE_XACT_ID};
use paynet_tests::capture_reversal;

fn set(name: &str, value: Option<&str>) {
    // SAFETY: this test binary runs one test, on one thread, and nothing
    // else reads the environment meanwhile.
    unsafe {
        match value {
            Some(v) => std::env::set_var(name, v),
            None => std::env::remove_var(name),
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_environment_configures_the_client_in_one_call() {
    let mock = MockServer::start(Config::default()).await.unwrap();

    set("PAYNET_BASE_URL", None);
    set("PAYNET_ENV", None);
    set("PAYNET_SECRET_KEY", None);
    assert!(matches!(
        ClientBuilder::from_env(),
        Err(ConfigError::NoEnvironment)
    ));

    set("PAYNET_ENV", Some("staging"));
    let err = ClientBuilder::from_env().unwrap_err();
    assert_eq!(
        err.to_string(),
        "PAYNET_ENV is \"staging\"; expected production or sandbox"
    );

    // No aliases: an unknown value never picks an environment.
    for alias in ["prod", "live", "test"] {
        set("PAYNET_ENV", Some(alias));
        let err = Environment::from_env().unwrap_err();
        assert!(
            matches!(&err, ConfigError::UnknownEnvironment { value } if value == alias),
            "{alias}: {err}"
        );
    }

    set("PAYNET_ENV", Some("sandbox"));
    assert_eq!(Environment::from_env().unwrap(), Environment::Sandbox);

    // PAYNET_BASE_URL wins over PAYNET_ENV, and is checked.
    set("PAYNET_BASE_URL", Some("http://192.0.2.1:8080"));
    assert!(matches!(
        ClientBuilder::from_env(),
        Err(ConfigError::PlainHttp { .. })
    ));
    set("PAYNET_BASE_URL", Some(&mock.base_url()));
    set(
        "PAYNET_SECRET_KEY",
        Some(&format!("{}\n", mock.secret_key())),
    );
    let client = ClientBuilder::from_env().unwrap().build().unwrap();
    let reply = capture_reversal(&client, CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap();
    assert!(reply.result_code().is_success());

    set("PAYNET_SECRET_KEY", Some("  "));
    assert!(matches!(
        ClientBuilder::from_env(),
        Err(ConfigError::InvalidSecretKey(_))
    ));
    set("PAYNET_SECRET_KEY", None);
    assert!(matches!(
        SecretKey::from_env(),
        Err(ConfigError::MissingVariable("PAYNET_SECRET_KEY"))
    ));
    // Without a key, from_env fails at once and names the variable (as
    // `main` would print it), instead of the first call failing later.
    let err = ClientBuilder::from_env().unwrap_err();
    assert!(matches!(
        err,
        ConfigError::MissingVariable("PAYNET_SECRET_KEY")
    ));
    assert_eq!(
        format!("{err:?}"),
        "the environment variable PAYNET_SECRET_KEY is not set"
    );

    // A client for SoftPOS alone is asked for by name. It reads no key even
    // when one is set, sends SoftPOS calls and refuses classic ones unsent.
    set("PAYNET_SECRET_KEY", Some(mock.secret_key()));
    let softpos_only = ClientBuilder::from_env_without_secret_key()
        .unwrap()
        .build()
        .unwrap();
    let err = capture_reversal(&softpos_only, CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(err, paynet_ext::Error::InvalidRequest { .. }),
        "{err}"
    );
    // Refused before sending: nothing happened, and sending it again
    // would be refused again.
    assert!(!err.is_outcome_unknown() && !err.is_retry_safe(), "{err}");
    let started = paynet_ext::call(
        softpos_only
            .init_reversal_transaction()
            .session_key(mock.session_key())
            .body_map(|b| b.xact_id(PREAUTH_EXAMPLE_XACT_ID.to_string())),
    )
    .await
    .unwrap();
    assert!(started.result_code().is_success());
}
