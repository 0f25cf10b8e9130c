import { createContext, useContext } from "react";

// The CSP nonce reaches the scripts Remix renders through context; in the
// browser it is empty (browsers hide nonces from the DOM), which is fine
// because scripts are only rendered once, on the server.
export const NonceContext = createContext<string | undefined>(undefined);
export const useNonce = () => useContext(NonceContext);

/** The request id, for error pages rendered on the server before the root loader ran. */
export const RequestIdContext = createContext<string | undefined>(undefined);
export const useRequestId = () => useContext(RequestIdContext);
