//! Property tests of the verifier: no change to a valid token survives, a token for one user
//! never opens another user's path, and a role claim grants exactly the roles it lists.

use auth_runtime::testing::{self, token_for};
use auth_runtime::{AuthError, authorize_owner, authorize_role};
use proptest::prelude::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
}

/// A user id as the path could carry it: any non-blank string.
fn user_id() -> impl Strategy<Value = String> {
    any::<String>().prop_filter("non-blank", |s| !s.trim().is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_single_byte_change_is_refused(
        user in user_id(),
        position in any::<prop::sample::Index>(),
        replacement in 0x21u8..0x7f,
    ) {
        let rt = runtime();
        let auth = testing::auth();
        let token = token_for(&user).claim("role", "reader").sign();
        prop_assert!(rt.block_on(auth.verify(&token)).is_ok());
        let i = position.index(token.len());
        prop_assume!(token.as_bytes()[i] != replacement);
        let mut bytes = token.into_bytes();
        bytes[i] = replacement;
        let tampered = String::from_utf8(bytes).expect("ASCII");
        prop_assert!(rt.block_on(auth.verify(&tampered)).is_err(), "accepted {tampered}");
    }

    #[test]
    fn any_appended_or_removed_byte_is_refused(user in user_id(), cut in 1usize..8, extra in "[A-Za-z0-9_.-]{1,8}") {
        let rt = runtime();
        let auth = testing::auth();
        let token = token_for(&user).sign();
        let shortened = &token[..token.len() - cut];
        let extended = format!("{token}{extra}");
        prop_assert!(rt.block_on(auth.verify(shortened)).is_err());
        prop_assert!(rt.block_on(auth.verify(&extended)).is_err());
    }

    #[test]
    fn a_token_for_a_never_opens_b(a in user_id(), b in user_id()) {
        let rt = runtime();
        let auth = testing::auth();
        let verified = rt.block_on(auth.verify(&token_for(&a).sign())).expect("valid");
        prop_assert_eq!(verified.user_id(), a.as_str());
        prop_assert!(authorize_owner(&verified, &a).is_ok());
        if a != b {
            prop_assert_eq!(authorize_owner(&verified, &b), Err(AuthError::Forbidden));
        }
    }

    #[test]
    fn a_role_claim_grants_exactly_its_comma_separated_roles(
        roles in prop::collection::vec("[ a-zA-Z,_-]{0,8}", 0..4),
        asked in "[ a-zA-Z_-]{1,8}",
    ) {
        let rt = runtime();
        let auth = testing::auth();
        let claim = roles.join(",");
        let as_string = rt.block_on(auth.verify(&token_for("u").claim("role", claim.as_str()).sign())).expect("valid");
        let listed = claim.split(',').any(|role| role == asked);
        prop_assert_eq!(as_string.has_role(&asked), listed);
        prop_assert_eq!(authorize_role(&as_string, &[asked.as_str()]).is_ok(), listed);
        prop_assert!(as_string.roles().all(|role| !role.is_empty() && !role.contains(',')));
        // An array's elements are roles as they are, commas included.
        let as_array = rt.block_on(auth.verify(&token_for("u").claim("role", roles.clone()).sign())).expect("valid");
        prop_assert_eq!(as_array.has_role(&asked), roles.contains(&asked));
        if !listed && !roles.contains(&asked) {
            prop_assert_eq!(authorize_role(&as_array, &[asked.as_str()]), Err(AuthError::MissingRole));
        }
    }
}
