//! Prints a signed HS256 token for development, with the secret from `BETTER_AUTH_SECRET`.
//!
//! ```text
//! cargo run -p tasks --bin mint -- alice                         # 15 minutes, uid=alice
//! cargo run -p tasks --bin mint -- carol --role admin            # roles, as Better Auth's admin plugin writes them
//! cargo run -p tasks --bin mint -- alice --ttl 3600 --claim activeOrganizationId=org_1 --claim 'tags=["a","b"]'
//! ```
//!
//! `--role` may be repeated: several roles are written comma-separated (`"user,admin"`), in the
//! claim named by `AUTH_JWT_ROLE_CLAIM` (default `role`). A `--claim` value that parses as JSON
//! is used as JSON, anything else as a string.

use std::process::ExitCode;
use std::time::Duration;

use auth_runtime::Auth;

const USAGE: &str = "usage: mint <user-id> [--ttl <seconds>] [--role <role>]... [--claim <name>=<value>]...\n\
    Prints an HS256 token signed with BETTER_AUTH_SECRET (the user id goes in `uid`,\n\
    or in the claim named by AUTH_JWT_USER_ID_CLAIM; roles in `role`, or in the claim\n\
    named by AUTH_JWT_ROLE_CLAIM, comma-separated).";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    // The same validation as the service: a secret the service would refuse is refused here.
    let auth = Auth::from_env().map_err(|error| format!("error: {error}"))?;

    let mut args = args.into_iter();
    let user_id = match args.next() {
        Some(user) if !user.starts_with('-') && !user.is_empty() => user,
        _ => return Err(USAGE.to_owned()),
    };
    let secret = std::env::var(auth_runtime::env::SECRET_VAR).unwrap_or_default();
    let mut token = auth_runtime::testing::token_for(&user_id).secret(&secret);
    match auth.hs256_claims().map(|claims| claims.user_id) {
        Some("uid") => {}
        Some(claim) => token = token.without("uid").claim(claim, user_id.as_str()),
        None => {
            return Err(format!(
                "error: {} is not set: mint signs HS256 tokens with it",
                auth_runtime::env::SECRET_VAR
            ));
        }
    }
    let mut roles: Vec<String> = Vec::new();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--ttl" => {
                let secs = value
                    .parse::<u64>()
                    .map_err(|_| format!("--ttl takes whole seconds, not {value:?}"))?;
                token = token.expires_in(Duration::from_secs(secs));
            }
            "--claim" => {
                let (name, raw) = value
                    .split_once('=')
                    .ok_or_else(|| format!("--claim takes name=value, not {value:?}"))?;
                let parsed =
                    serde_json::from_str(raw).unwrap_or_else(|_| serde_json::Value::from(raw));
                token = token.claim(name, parsed);
            }
            "--role" => {
                if value.is_empty() || value.contains(',') || value.trim() != value {
                    return Err(format!(
                        "--role takes one role without commas or surrounding spaces, not {value:?}; repeat --role for several"
                    ));
                }
                roles.push(value);
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if let (false, Some(claims)) = (roles.is_empty(), auth.hs256_claims()) {
        token = token.claim(claims.role, roles.join(","));
    }
    Ok(token.sign())
}
