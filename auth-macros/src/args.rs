//! The attribute's arguments: `path_param = "user_id"`.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::{Expr, ExprLit, Ident, Lit, LitStr};

use crate::errors::Errors;

/// The path parameter compared with the token's user id.
pub(crate) struct PathParam {
    /// As written, for messages and the generated constants.
    pub(crate) name: String,
    /// The literal, so that errors about it point at the user's string.
    pub(crate) lit: LitStr,
}

const USAGE: &str = "write #[authorized(path_param = \"user_id\")], naming the path parameter that must equal the token's user id";

pub(crate) fn parse(attr: TokenStream, errors: &mut Errors) -> Option<PathParam> {
    let mut param: Option<PathParam> = None;
    let mut seen = false;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("path_param") {
            let value: Expr = meta.value()?.parse()?;
            if seen {
                errors.push(syn::Error::new_spanned(
                    &meta.path,
                    "`path_param` is given twice: keep one",
                ));
                return Ok(());
            }
            seen = true;
            match value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(lit), ..
                }) => {
                    let name = lit.value();
                    if syn::parse_str::<Ident>(&name).is_ok() && !name.starts_with("r#") {
                        param = Some(PathParam { name, lit });
                    } else {
                        errors.push(syn::Error::new(
                            lit.span(),
                            format!(
                                "`{name}` is not a Rust identifier: the handler must bind the path parameter by this name, e.g. path_param = \"user_id\" with Path(user_id)"
                            ),
                        ));
                    }
                }
                other => errors.push(syn::Error::new_spanned(
                    other,
                    "`path_param` takes a string literal: path_param = \"user_id\"",
                )),
            }
            Ok(())
        } else {
            let name = meta
                .path
                .get_ident()
                .map_or_else(|| "this".to_owned(), |ident| format!("`{ident}`"));
            errors.push(syn::Error::new_spanned(
                &meta.path,
                format!("unknown argument {name}: {USAGE}"),
            ));
            // Skip the value so that the arguments after it are still checked.
            if meta.input.peek(syn::Token![=]) {
                let _: Expr = meta.value()?.parse()?;
            } else if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                let _: TokenStream = meta.input.parse()?;
            }
            Ok(())
        }
    });
    if let Err(error) = parser.parse2(attr.clone()) {
        errors.push(error);
        return None;
    }
    if !seen {
        let span = attr
            .into_iter()
            .next()
            .map_or_else(Span::call_site, |token| token.span());
        errors.push(syn::Error::new(
            span,
            format!("missing `path_param`: {USAGE}"),
        ));
    }
    param
}
