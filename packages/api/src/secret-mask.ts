/**
 * What the API returns instead of a secret header value. Writing it back in an
 * update keeps the secret stored under that header name.
 */
export const SECRET_MASK = "********";
