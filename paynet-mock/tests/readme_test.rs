//! The README's simulator test ("The same as a test"), verbatim, so that
//! the snippet a user copies compiles and passes.

use paynet_ext::{CallExt, ClientBuilder, Environment, Error, SecretKey};
use paynet_mock::{Config, MockServer, Transaction};

#[tokio::test]
async fn a_reversal_of_a_reversed_transaction_is_refused() -> anyhow::Result<()> {
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
    reverse().await?;
    let second = reverse().await.unwrap_err();
    assert!(matches!(second, Error::Paynet { .. }) && second.is_refusal());
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
