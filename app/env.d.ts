/// <reference types="@remix-run/dev" />
/// <reference types="@remix-run/node" />

// The element that marks a part of a kept page drawn per reader (app/components/Slot.tsx).
declare namespace React {
  namespace JSX {
    interface IntrinsicElements {
      "pulse-slot": { "data-slot": string; children?: React.ReactNode };
    }
  }
}
