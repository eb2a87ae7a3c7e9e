//! Code generation. Everything the output names goes through `::auth_runtime`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn};

use crate::args::{self, PathParam, Roles, Rule};
use crate::errors::Errors;
use crate::handler::{self, Binding};
use crate::utoipa::{self, Documented, Options};

pub(crate) fn authorized(attr: TokenStream, item: TokenStream) -> TokenStream {
    authorized_with(attr, item, Options::from_features())
}

/// The expansion for the features given (the snapshots fix them, whatever the build enables).
pub(crate) fn authorized_with(
    attr: TokenStream,
    item: TokenStream,
    options: Options,
) -> TokenStream {
    let mut errors = Errors::default();
    let rule = args::parse(attr, &mut errors);
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
    let binding = match &rule {
        Some(Rule::Path { param, .. }) => handler::find_binding(&func, param, &mut errors),
        _ => None,
    };

    // The handler with `#[utoipa::path]` extended (its mistakes reported with the others), and
    // what that needs; used only when everything else is right.
    let mut documented_func = func.clone();
    let docs = match (&rule, &binding) {
        (
            Some(Rule::Path {
                param, or_roles, ..
            }),
            Some(binding),
        ) => {
            let path_ty = binding.path_ty();
            let name = &func.sig.ident;
            utoipa::document(
                &mut documented_func,
                &Documented {
                    roles: or_roles.as_ref().map_or(&[], |roles| &roles.names),
                    path: Some((&param.name, binding)),
                    responses: quote!(::auth_runtime::__private::utoipa_responses::<#name, #path_ty>()),
                },
                options,
                &mut errors,
            )
        }
        (Some(Rule::Role(roles)), _) => {
            let name = &func.sig.ident;
            utoipa::document(
                &mut documented_func,
                &Documented {
                    roles: &roles.names,
                    path: None,
                    responses: quote!(::auth_runtime::__private::utoipa_responses::<#name, ()>()),
                },
                options,
                &mut errors,
            )
        }
        (Some(Rule::Scope(scopes)), _) => {
            let name = &func.sig.ident;
            utoipa::document(
                &mut documented_func,
                &Documented {
                    roles: &scopes.names,
                    path: None,
                    responses: quote!(::auth_runtime::__private::utoipa_responses::<#name, ()>()),
                },
                options,
                &mut errors,
            )
        }
        // The rule has a mistake: nothing is generated, but the attribute's own mistakes
        // (`security(...)`, the feature) are reported with it.
        _ => {
            let _ = utoipa::document(
                &mut documented_func,
                &Documented {
                    roles: &[],
                    path: None,
                    responses: TokenStream::new(),
                },
                options,
                &mut errors,
            );
            TokenStream::new()
        }
    };

    match (rule, binding) {
        (
            Some(Rule::Path {
                param,
                claim,
                or_roles,
                scopes,
            }),
            Some(binding),
        ) if errors.is_empty() => {
            let handler = expand_path(
                &documented_func,
                &param,
                claim.as_ref(),
                or_roles.as_ref(),
                scopes.as_ref(),
                &binding,
            );
            quote!(#handler #docs)
        }
        (Some(Rule::Role(roles)), _) if errors.is_empty() => {
            let handler = expand_role(&documented_func, &roles);
            quote!(#handler #docs)
        }
        (Some(Rule::Scope(scopes)), _) if errors.is_empty() => {
            let handler = expand_scope(&documented_func, &scopes);
            quote!(#handler #docs)
        }
        // Keep the handler as written, so that rust-analyzer and the rest of the crate still
        // see it, and add the errors.
        _ => {
            let errors = errors.into_compile_errors();
            let route = unchecked_route(&func);
            quote!(#func #route #errors)
        }
    }
}

/// After an error, the hidden type `route_path!` looks for, with nothing to check: one mistake
/// gives one error, not one more at every `route_path!` naming the handler. Left out for a
/// method (a type cannot be defined in an `impl` block) and when another `#[authorized]` on the
/// handler will define it.
fn unchecked_route(func: &ItemFn) -> TokenStream {
    let is_method = matches!(func.sig.inputs.first(), Some(FnArg::Receiver(_)));
    if is_method || func.attrs.iter().any(handler::is_authorized_attr) {
        return TokenStream::new();
    }
    route_item(func, quote!(::core::option::Option::None))
}

/// The hidden type named like the handler, and what `route_path!` checks for it.
fn route_item(func: &ItemFn, check: TokenStream) -> TokenStream {
    let name = &func.sig.ident;
    let vis = &func.vis;
    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #name {}

        impl ::auth_runtime::route::AuthorizedRoute for #name {
            const ROUTE: ::core::option::Option<::auth_runtime::__private::RouteCheck> = #check;
        }
    }
}

/// `role = …`: the rule, and no route check (no path is read).
fn expand_role(func: &ItemFn, roles: &Roles) -> TokenStream {
    let roles = &roles.names;
    expand_pathless(
        func,
        quote!(::auth_runtime::__private::Rule::any_role(&[#(#roles),*])),
    )
}

/// `scope = …`: the rule, and no route check (no path is read).
fn expand_scope(func: &ItemFn, scopes: &Roles) -> TokenStream {
    let scopes = &scopes.names;
    expand_pathless(
        func,
        quote!(::auth_runtime::__private::Rule::all_scopes(&[#(#scopes),*])),
    )
}

/// A rule that reads no path: its constant, the extractor with `P = ()`, no route check.
fn expand_pathless(func: &ItemFn, rule: TokenStream) -> TokenStream {
    let name = &func.sig.ident;
    let route = route_item(func, quote!(::core::option::Option::None));
    let func = with_extractor(
        func,
        quote_spanned!(Span::mixed_site()=> ::auth_runtime::__private::Authorized<#name>),
    );
    quote! {
        #route

        impl ::auth_runtime::__private::AuthorizedHandler<()> for #name {
            const RULE: ::auth_runtime::__private::Rule<'static> = #rule;
        }

        #func
    }
}

/// The handler with `extractor` as its first argument, named so that user code cannot.
fn with_extractor(func: &ItemFn, extractor: TokenStream) -> ItemFn {
    let mut func = func.clone();
    let marker: FnArg = syn::parse_quote_spanned! {Span::mixed_site()=>
        _: #extractor
    };
    func.sig.inputs.insert(0, marker);
    func
}

fn expand_path(
    func: &ItemFn,
    param: &PathParam,
    claim: Option<&syn::LitStr>,
    or_roles: Option<&Roles>,
    scopes: Option<&Roles>,
    binding: &Binding<'_>,
) -> TokenStream {
    let name = &func.sig.ident;
    let param_name = &param.name;
    let compared_with = match claim {
        Some(claim) => format!("the token's `{}` claim", claim.value()),
        None => "the token's user id".to_owned(),
    };
    let position = match binding {
        Binding::Tuple { index, count, .. } => {
            quote!(::core::option::Option::Some((#index, #count)))
        }
        _ => quote!(::core::option::Option::None),
    };
    let missing_capture = format!(
        "route_path!: the route does not capture `{{{param_name}}}`, which #[authorized] on `{name}` compares with {compared_with}"
    );
    let wrong_position = match binding {
        Binding::Tuple { index, count, .. } => format!(
            "route_path!: `{name}` binds `{param_name}` as element {} of its {count}-element Path tuple, so the route must have {count} captures with `{{{param_name}}}` as capture {}",
            index + 1,
            index + 1
        ),
        _ => String::new(),
    };
    let path_ty = binding.path_ty();
    let value = path_value(param, binding);
    let mut rule = match claim {
        Some(claim) => quote!(::auth_runtime::__private::Rule::claim(#param_name, #claim)),
        None => quote!(::auth_runtime::__private::Rule::owner(#param_name)),
    };
    if let Some(roles) = or_roles {
        let roles = &roles.names;
        rule = quote!(#rule.or_role(&[#(#roles),*]));
    }
    if let Some(scopes) = scopes {
        let scopes = &scopes.names;
        rule = quote!(#rule.with_scopes(&[#(#scopes),*]));
    }
    // Named, for path types that hold a lifetime themselves (`Cow<'static, str>`).
    let lifetime = syn::Lifetime::new("'path", Span::mixed_site());

    let route = route_item(
        func,
        quote! {
            ::core::option::Option::Some(::auth_runtime::__private::RouteCheck {
                param: #param_name,
                position: #position,
                missing_capture: #missing_capture,
                wrong_position: #wrong_position,
            })
        },
    );

    let func = with_extractor(
        func,
        quote_spanned!(Span::mixed_site()=> ::auth_runtime::__private::Authorized<#name, #path_ty>),
    );

    quote! {
        #route

        impl ::auth_runtime::__private::AuthorizedHandler<#path_ty> for #name {
            const RULE: ::auth_runtime::__private::Rule<'static> = #rule;
            fn path_value<#lifetime>(path: &#lifetime #path_ty) -> &#lifetime str {
                let path: &#path_ty = path;
                #value
            }
        }

        #func
    }
}

/// The value the handler reads as `path_param`, from the deserialized `Path<T>` named `path`.
/// Spanned at the user's tokens, so that a type that cannot hold a user id (or a missing field)
/// is reported there.
fn path_value(param: &PathParam, binding: &Binding<'_>) -> TokenStream {
    let path = |span| Ident::new("path", span);
    match binding {
        Binding::Whole { ty } => {
            let path = path(ty.span());
            quote_spanned! {ty.span()=>
                <#ty as ::auth_runtime::UserIdParam>::as_user_id(#path)
            }
        }
        Binding::Tuple {
            index,
            elem_ty: Some(elem_ty),
            ..
        } => {
            let index = tuple_index(*index, elem_ty.span());
            let path = path(elem_ty.span());
            quote_spanned! {elem_ty.span()=>
                <#elem_ty as ::auth_runtime::UserIdParam>::as_user_id(&#path.#index)
            }
        }
        Binding::Tuple {
            index,
            elem_ty: None,
            binding,
            ..
        } => {
            let index = tuple_index(*index, binding.span());
            let path = path(binding.span());
            quote_spanned! {binding.span()=>
                ::auth_runtime::UserIdParam::as_user_id(&#path.#index)
            }
        }
        Binding::Field { member, .. } => {
            let field = Ident::new(member, param.lit.span());
            let path = path(param.lit.span());
            quote_spanned! {param.lit.span()=>
                ::auth_runtime::UserIdParam::as_user_id(&#path.#field)
            }
        }
    }
}

/// `.0`, `.1`, … spanned at the user's tokens.
fn tuple_index(index: usize, span: Span) -> syn::Index {
    syn::Index {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        span,
    }
}
