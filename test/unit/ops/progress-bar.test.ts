import { progressBar } from '../../../ops/progress-bar';

describe('progressBar', () => {
  it('draws in place on a terminal and ends its line', () => {
    // Prepare
    const written: string[] = [];
    const bar = progressBar({ write: (text: string) => written.push(text), isTTY: true }, 'moved');

    // Act
    bar.update(1, 4);
    bar.finish();

    // Assess
    expect(written).toEqual([`\r[${'█'.repeat(8)}${'░'.repeat(22)}] 1/4 moved`, '\n']);
  });

  it('draws nothing where the output is not a terminal', () => {
    // Prepare
    const written: string[] = [];
    const bar = progressBar({ write: (text: string) => written.push(text), isTTY: false }, 'moved');

    // Act
    bar.update(1, 4);
    bar.finish();

    // Assess
    expect(written).toEqual([]);
  });
});
