//! What the handler looks like: its shape, and where it binds the path parameter.

use syn::{FnArg, GenericArgument, ItemFn, Pat, PathArguments, Type};

use crate::args::PathParam;
use crate::errors::Errors;

/// axum implements `Handler` for functions of at most 16 extractors.
const AXUM_MAX_ARGS: usize = 16;

/// How the handler binds the path parameter: what the generated check reads from the
/// deserialized `Path<T>`, and what `route_path!` checks.
pub(crate) enum Binding<'a> {
    /// `Path(user_id): Path<T>` or `user_id: Path<T>`: the whole `T`.
    Whole { ty: &'a Type },
    /// `Path((org, user_id)): Path<(A, B)>`: one element of the tuple.
    Tuple {
        /// The `T` of `Path<T>`: the tuple type or an alias of it.
        ty: &'a Type,
        index: usize,
        count: usize,
        /// The element's type, when the tuple is written out.
        elem_ty: Option<&'a Type>,
        /// The user's binding, where a type error is reported when the type is an alias.
        binding: &'a syn::Ident,
    },
    /// `Path(Params { user_id, .. })` or `Path(params): Path<Params>`: a field of `Params`.
    Field {
        ty: &'a Type,
        /// The field the handler reads.
        member: String,
    },
}

impl Binding<'_> {
    /// The `T` of the handler's `Path<T>`.
    pub(crate) fn path_ty(&self) -> &Type {
        match self {
            Binding::Whole { ty } | Binding::Tuple { ty, .. } | Binding::Field { ty, .. } => ty,
        }
    }
}

/// Checks everything about the function itself, reporting each problem at its token.
pub(crate) fn check_shape(func: &ItemFn, errors: &mut Errors) {
    let sig = &func.sig;
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            "#[authorized] handlers must be `async fn`: add `async`",
        ));
    }
    if let Some(FnArg::Receiver(receiver)) = sig.inputs.first() {
        errors.push(syn::Error::new_spanned(
            receiver,
            "#[authorized] cannot protect a method: axum handlers are free functions, so move it out of the `impl` block",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "#[authorized] does not support generic handlers: give the handler concrete types",
        ));
    }
    if sig.inputs.len() >= AXUM_MAX_ARGS {
        errors.push(syn::Error::new_spanned(
            &sig.inputs,
            "axum handlers take at most 16 extractors and #[authorized] adds one: group some of them into a struct that implements FromRequestParts",
        ));
    }
    for attr in &func.attrs {
        if is_authorized_attr(attr) {
            errors.push(syn::Error::new_spanned(
                attr,
                "#[authorized] is applied twice: keep one",
            ));
        }
    }
}

/// `#[authorized(...)]`, by its last path segment.
pub(crate) fn is_authorized_attr(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "authorized")
}

/// Finds where the handler binds `param` through a `Path` extractor.
pub(crate) fn find_binding<'a>(
    func: &'a ItemFn,
    param: &PathParam,
    errors: &mut Errors,
) -> Option<Binding<'a>> {
    let mut other_names = Vec::new();
    for input in &func.sig.inputs {
        let FnArg::Typed(arg) = input else { continue };
        let Some(inner_ty) = path_extractor_inner(&arg.ty) else {
            continue;
        };
        let Some(inner_ty) = inner_ty else {
            errors.push(syn::Error::new_spanned(
                &arg.ty,
                "write the type the `Path` extractor deserializes, e.g. Path<String>",
            ));
            return None;
        };
        let inner_pat = match &*arg.pat {
            Pat::TupleStruct(ts) if is_path(&ts.path) && ts.elems.len() == 1 => &ts.elems[0],
            // `user_id: Path<String>` or `params: Path<Params>`
            pat => pat,
        };
        match inner_pat {
            Pat::Ident(ident) if ident.ident == param.name => {
                return Some(Binding::Whole { ty: inner_ty });
            }
            Pat::Ident(ident) => {
                if is_scalar_or_tuple(inner_ty) {
                    other_names.push(ident.ident.to_string());
                } else {
                    return Some(Binding::Field {
                        ty: inner_ty,
                        member: param.name.clone(),
                    });
                }
            }
            Pat::Tuple(tuple) => {
                if let Some(rest) = tuple.elems.iter().find(|p| matches!(p, Pat::Rest(_))) {
                    errors.push(syn::Error::new_spanned(
                        rest,
                        "#[authorized] needs every element of the Path tuple: the route's captures are matched by position",
                    ));
                    return None;
                }
                let count = tuple.elems.len();
                let found = tuple
                    .elems
                    .iter()
                    .enumerate()
                    .find_map(|(index, elem)| match elem {
                        Pat::Ident(ident) if ident.ident == param.name => {
                            Some((index, &ident.ident))
                        }
                        _ => None,
                    });
                if let Some((index, binding)) = found {
                    let elem_ty = match inner_ty {
                        Type::Tuple(t) if t.elems.len() == count => t.elems.iter().nth(index),
                        _ => None,
                    };
                    return Some(Binding::Tuple {
                        ty: inner_ty,
                        index,
                        count,
                        elem_ty,
                        binding,
                    });
                }
                other_names.extend(tuple.elems.iter().filter_map(|elem| match elem {
                    Pat::Ident(ident) => Some(ident.ident.to_string()),
                    _ => None,
                }));
            }
            Pat::Struct(st) => {
                // The field the handler binds by that name (`Params { owner: user_id, .. }`),
                // else the field of that name (`Params { user_id, .. }`).
                let bound_as = st.fields.iter().find(
                    |field| matches!(&*field.pat, Pat::Ident(ident) if ident.ident == param.name),
                );
                let named = || {
                    st.fields.iter().find(|field| {
                        matches!(&field.member, syn::Member::Named(name) if *name == param.name)
                    })
                };
                if let Some(field) = bound_as.or_else(named)
                    && let syn::Member::Named(member) = &field.member
                {
                    return Some(Binding::Field {
                        ty: inner_ty,
                        member: member.to_string(),
                    });
                }
                other_names.extend(st.fields.iter().filter_map(|field| match &field.member {
                    syn::Member::Named(name) => Some(name.to_string()),
                    syn::Member::Unnamed(_) => None,
                }));
            }
            _ => {}
        }
    }

    let name = &param.name;
    let found = if other_names.is_empty() {
        "the handler has no `Path` extractor".to_owned()
    } else {
        format!(
            "its `Path` extractor binds {}",
            other_names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    errors.push(syn::Error::new(
        param.lit.span(),
        format!(
            "path parameter `{name}` is not bound by this handler ({found}): add `Path({name}): Path<String>`, bind it in a tuple `Path((org, {name}))` or a struct with a `{name}` field, or change path_param"
        ),
    ));
    None
}

/// `Some(inner)` when `ty` is `Path<inner>` (by its last segment, so `axum::extract::Path`
/// works too); `Some(None)` for a bare `Path`.
fn path_extractor_inner(ty: &Type) -> Option<Option<&Type>> {
    let Type::Path(type_path) = ty else {
        return None;
    };
    let segment = type_path.path.segments.last()?;
    if segment.ident != "Path" {
        return None;
    }
    Some(match &segment.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
            GenericArgument::Type(ty) => Some(ty),
            _ => None,
        }),
        _ => None,
    })
}

fn is_path(path: &syn::Path) -> bool {
    path.segments
        .last()
        .is_some_and(|segment| segment.ident == "Path")
}

/// Types that deserialize from a single capture: a binding of such a type has the value of
/// the capture, not a field named like it.
fn is_scalar_or_tuple(ty: &Type) -> bool {
    const SCALARS: &[&str] = &[
        "String", "str", "Box", "Arc", "Rc", "Cow", "bool", "char", "u8", "u16", "u32", "u64",
        "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64", "Uuid", "Vec",
        "Option",
    ];
    match ty {
        Type::Tuple(_) | Type::Reference(_) | Type::Array(_) | Type::Slice(_) => true,
        Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|segment| SCALARS.iter().any(|s| segment.ident == s)),
        Type::Paren(p) => is_scalar_or_tuple(&p.elem),
        Type::Group(g) => is_scalar_or_tuple(&g.elem),
        _ => false,
    }
}
