//! Code generation. Everything the output names goes through `::auth_runtime`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn};

use crate::args::{self, PathParam};
use crate::errors::Errors;
use crate::handler::{self, Binding};

pub(crate) fn authorized(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let param = args::parse(attr, &mut errors);
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            let span = item
                .clone()
                .into_iter()
                .find(|token| {
                    !matches!(
                        token,
                        proc_macro2::TokenTree::Punct(_) | proc_macro2::TokenTree::Group(_)
                    )
                })
                .map_or_else(Span::call_site, |token| token.span());
            errors.push(syn::Error::new(
                span,
                "#[authorized] applies to an `async fn` axum handler",
            ));
            let errors = errors.into_compile_errors();
            return quote!(#item #errors);
        }
    };

    handler::check_shape(&func, &mut errors);
    let binding = param
        .as_ref()
        .and_then(|param| handler::find_binding(&func, param, &mut errors));

    match (param, binding) {
        (Some(param), Some(binding)) if errors.is_empty() => expand(&func, &param, &binding),
        // Keep the handler as written, so that rust-analyzer and the rest of the crate still
        // see it, and add the errors.
        _ => {
            let errors = errors.into_compile_errors();
            quote!(#func #errors)
        }
    }
}

fn expand(func: &ItemFn, param: &PathParam, binding: &Binding<'_>) -> TokenStream {
    let name = &func.sig.ident;
    let vis = &func.vis;
    let param_name = &param.name;
    let position = match binding {
        Binding::Tuple { index, count, .. } => {
            quote!(::core::option::Option::Some((#index, #count)))
        }
        _ => quote!(::core::option::Option::None),
    };
    let missing_capture = format!(
        "route_path!: the route does not capture `{{{param_name}}}`, which #[authorized] on `{name}` compares with the token's user id"
    );
    let wrong_position = match binding {
        Binding::Tuple { index, count, .. } => format!(
            "route_path!: `{name}` binds `{param_name}` as element {} of its {count}-element Path tuple, so the route must have {count} captures with `{{{param_name}}}` as capture {}",
            index + 1,
            index + 1
        ),
        _ => String::new(),
    };
    let check = type_check(param, binding);

    let mut func = func.clone();
    let marker: FnArg = syn::parse_quote_spanned! {Span::mixed_site()=>
        _: ::auth_runtime::__private::Authorized<#name>
    };
    func.sig.inputs.insert(0, marker);

    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #name {}

        impl ::auth_runtime::__private::AuthorizedHandler for #name {
            const PATH_PARAM: &'static str = #param_name;
            const POSITION: ::core::option::Option<(usize, usize)> = #position;
            const MISSING_CAPTURE: &'static str = #missing_capture;
            const WRONG_POSITION: &'static str = #wrong_position;
        }

        const _: () = {
            #[allow(unused_variables, unused_mut, clippy::all)]
            fn __authorized_type_check() {
                #check
            }
        };

        #func
    }
}

/// A statement that compiles only when the bound parameter can hold a user id, spanned so
/// that rustc reports at the user's type (or, for a missing field, at the path_param string).
fn type_check(param: &PathParam, binding: &Binding<'_>) -> TokenStream {
    match binding {
        Binding::Whole { ty }
        | Binding::Tuple {
            elem_ty: Some(ty), ..
        } => quote_spanned! {ty.span()=>
            ::auth_runtime::__private::require_user_id_param::<#ty>();
        },
        Binding::Tuple {
            elem_ty: None,
            pat,
            ty,
            binding,
            ..
        } => quote_spanned! {binding.span()=>
            fn __check(#pat: #ty) {
                ::auth_runtime::__private::require_user_id_value(&#binding);
            }
        },
        Binding::Field { ty } => {
            let field = param.ident();
            quote_spanned! {param.lit.span()=>
                fn __check(value: &#ty) {
                    ::auth_runtime::__private::require_user_id_value(&value.#field);
                }
            }
        }
    }
}
