/**
 * The export button of each mounted view: what it downloads is the view's snapshot at click
 * time, drawn in the colours of the view's theme. The registry attaches these; views themselves
 * know nothing of exports.
 */
import { HeadView } from '../views/head/view';
import { GridView } from '../views/model/view';
import { NeuronView } from '../views/neuron/view';
import { TextView } from '../views/text/view';
import { attachExport } from './button';
import { headSvg } from './head-svg';
import { modelSvg } from './model-svg';
import { neuronSvg } from './neuron-svg';
import { ExportedSvg, paletteOf } from './svg';
import { textSvg } from './text-svg';

/** Adds the export button to a head view; returns the cleanup. */
export function exportHeadView(view: HeadView): () => void {
  return attachExport(view.element, (): ExportedSvg | null => {
    const s = view.snapshot();
    return s && headSvg({ ...s, palette: paletteOf(view.element) });
  });
}

/** Adds the export button to a model view (the open head's panel is drawn beside the grid). */
export function exportModelView(view: GridView): () => void {
  return attachExport(view.element, (): ExportedSvg | null => {
    const s = view.snapshot();
    if (!s) {
      return null;
    }
    const panelRoot = view.element.querySelector<HTMLElement>('.attnscope-open-head') ?? view.element;
    const panel = s.panel ? { ...s.panel, palette: paletteOf(panelRoot) } : null;
    return modelSvg({ ...s, palette: paletteOf(view.element), panel });
  });
}

export function exportNeuronView(view: NeuronView): () => void {
  return attachExport(view.element, (): ExportedSvg | null => {
    const s = view.snapshot();
    return s && neuronSvg({ ...s, palette: paletteOf(view.element) });
  });
}

/** Adds the export button to a text view (the running text wrapped as on screen). */
export function exportTextView(view: TextView): () => void {
  return attachExport(view.element, (): ExportedSvg | null => {
    const s = view.snapshot();
    const body = view.element.querySelector<HTMLElement>('.attnscope-text-body');
    return s && textSvg({ ...s, palette: paletteOf(view.element), textWidth: body?.clientWidth });
  });
}
