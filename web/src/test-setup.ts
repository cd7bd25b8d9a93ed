import { configure } from '@testing-library/react';

// The component tests share two cores with the rest of `npm test`: under that load a first render
// and its data can take seconds, so waiting for an element gives up after 10 s, not the default 1 s.
configure({ asyncUtilTimeout: 10_000 });
