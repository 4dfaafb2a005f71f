//! The README's simulator test ("The same as a test"), verbatim, so that
//! the snippet a user copies compiles and passes.

use paynet_ext::{CallExt, ClientBuilder, Environment, Error, SecretKey};
use paynet_mock::{Config, MockServer, Transaction};

#[tokio::test]
async fn a_reversal_sent_twice_reverses_once() -> anyhow::Result<()> {
    let mock = MockServer::start(Config::default()).await?;
    mock.add_transaction(Transaction::captured("xk_my_test"));
    let client = ClientBuilder::new(Environment::custom(&mock.base_url())?)
        .secret_key(SecretKey::new(mock.secret_key())?)
        .build()?;
    let reverse = || {
        client
            .capture_reversal()
            .body_map(|b| b.xact_id("xk_my_test"))
            .call()
    };
    let first = reverse().await?;
    assert!(!first.is_repeat());
    // the same request again: Paynet's code 100, "done earlier", not twice
    let second = reverse().await?;
    assert!(second.is_repeat());
    assert!(mock.transaction("xk_my_test").unwrap().reversed);
    // a transaction it does not know is a refusal
    let unknown = client
        .capture_reversal()
        .body_map(|b| b.xact_id("xk_unknown"))
        .call()
        .await
        .unwrap_err();
    assert!(
        matches!(&unknown, Error::Http(answer) if answer.status == 404) && unknown.is_refusal()
    );
    Ok(())
}

/// The README shows the test above as it is here, imports included.
#[test]
fn the_readme_shows_this_test_as_it_is() {
    let this = include_str!("readme_test.rs");
    let start = this.find("use paynet_ext").unwrap();
    let end = this.find("    Ok(())\n}\n").unwrap() + "    Ok(())\n}\n".len();
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(&this[start..end]),
        "README.md's simulator test differs from paynet-mock/tests/readme_test.rs"
    );
}
