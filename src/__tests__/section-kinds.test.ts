/**
 * @jest-environment jsdom
 *
 * What a section is comes from its fields, not its key: any section whose queries and keys are the
 * same positions gets the sentence pair filter; one whose keys are other positions never does,
 * whatever the sections are called.
 */
import { eager } from '../data/eager';
import { Section, SectionSource } from '../data/section';
import { Selection } from '../selection/state';
import { HeadView } from '../views/head/view';
import { Tensor } from '../wire/tensor';

const N = 4;
const uniform = (): Tensor => new Tensor(new Float32Array(N * N).fill(1 / N), [1, 1, N, N]);

function mount(key: string, keyTokens: string[]): HTMLElement {
  const sec: Section = eager({ key, label: key, attention: uniform(), layers: [0], heads: [0], queryTokens: ['a', 'b', 'c', 'd'], keyTokens });
  const source: SectionSource = { sectionList: [sec], section: k => (k === key ? sec : undefined), sentenceBStart: 2 };
  const view = new HeadView(source, new Selection({ section: key, layer: 0, nHeads: 1 }));
  document.body.appendChild(view.element);
  return view.element;
}

const filterShown = (root: HTMLElement): boolean => !root.querySelector<HTMLElement>('.attnscope-filter-control')?.hidden;

beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 200 });
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});
afterEach(() => (document.body.innerHTML = ''));

describe('section kinds', () => {
  it.each([
    ['self', ['a', 'b', 'c', 'd'], true],
    ['rollout', ['a', 'b', 'c', 'd'], true],
    ['self', ['w', 'x', 'y', 'z'], false],
    ['cross', ['w', 'x', 'y', 'z'], false]
  ])('a section "%s" with key tokens %j: sentence filter shown = %s', (key, keyTokens, shown) => {
    const root = mount(key, keyTokens);
    expect(filterShown(root)).toBe(shown);
    expect(root.querySelectorAll('.attnscope-filter-select option')).toHaveLength(shown ? 5 : 1);
  });
});
