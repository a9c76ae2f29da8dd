// How the canvas fits a flow to the view. A big flow is not shrunk until its text cannot be read:
// node text is 12 px, so Fit stops at 0.75 (9 px on screen) and the analyst pans from there.
import type { FitViewOptions } from '@xyflow/react'

/** The smallest zoom Fit uses; the wheel and the zoom buttons may still go further out. */
export const READABLE_ZOOM = 0.75

export const FIT_VIEW_OPTIONS = { padding: 0.12, maxZoom: 1, minZoom: READABLE_ZOOM } satisfies FitViewOptions

/**
 * From this many nodes the canvas draws only what is on screen: painting hundreds of nodes and
 * edges in every drag and pan frame is where a big flow's time went. Smaller flows keep every
 * node in the page (tests and screen readers find them all).
 */
export const VIRTUALIZE_FROM_NODES = 150
