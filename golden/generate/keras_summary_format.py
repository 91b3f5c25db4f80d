#!/usr/bin/env python3
# Writes the expected Keras 2.0.8 model.summary() tables for golden/published/summary_*.txt.
# An independent re-statement of keras/utils/layer_utils.py print_summary (tag 2.0.8, commit
# c7dd36a1bab362de478f528078261439b803aaa7) for Sequential models: line_length 65, positions
# [.45, .85, 1.] -> [29, 55, 65]; rows cut and padded to each column stop. Run: python3 keras_summary_format.py
import os

LINE = 65
POS = [int(LINE * p) for p in (.45, .85, 1.)]


def row(fields):
    line = ''
    for i, f in enumerate(fields):
        if i > 0:
            line = line[:-1] + ' '
        line += str(f)
        line = line[:POS[i]]
        line += ' ' * (POS[i] - len(line))
    return line


def summary(layers):
    out = ['_' * LINE, row(['Layer (type)', 'Output Shape', 'Param #']), '=' * LINE]
    for i, (name, cls, shape, params) in enumerate(layers):
        out.append(row([f'{name} ({cls})', shape, params]))
        out.append(('=' if i == len(layers) - 1 else '_') * LINE)
    total = sum(p for *_, p in layers)
    out += [f'Total params: {total:,}', f'Trainable params: {total:,}', 'Non-trainable params: 0', '_' * LINE]
    return '\n'.join(out) + '\n'


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'published')
tables = {
    # Course slides: Dense(10, sigmoid, input_dim=20) -> Dense(5, sigmoid) -> Dense(1, sigmoid).
    'summary_271.txt': [('dense_1', 'Dense', '(None, 10)', 210), ('dense_2', 'Dense', '(None, 5)', 55),
                        ('dense_3', 'Dense', '(None, 1)', 6)],
    # idiap/importance-sampling docs/examples.md @ 0cb4b5245cbf96b52a6ecfd2545eb7b904bc963e (rows verbatim).
    'summary_mnist_mlp.txt': [('dense_1', 'Dense', '(None, 512)', 401920), ('dropout_1', 'Dropout', '(None, 512)', 0),
                              ('dense_2', 'Dense', '(None, 512)', 262656), ('dropout_2', 'Dropout', '(None, 512)', 0),
                              ('dense_3', 'Dense', '(None, 10)', 5130)],
    # keras-team/keras examples/mnist_cnn.py @ 1a3ee8441933fc007be6b2beb47af67998d50737 (the script prints no
    # summary): Keras 2.0.x layer names (class name in snake case + _1, _2 per class), "valid" 3x3 convolutions
    # 28 -> 26 -> 24, 2x2 pooling -> 12, and the counts of shared/reference/keras-golden.md section 1.2.
    'summary_mnist_cnn.txt': [('conv2d_1', 'Conv2D', '(None, 26, 26, 32)', 320), ('conv2d_2', 'Conv2D', '(None, 24, 24, 64)', 18496),
                              ('max_pooling2d_1', 'MaxPooling2D', '(None, 12, 12, 64)', 0), ('dropout_1', 'Dropout', '(None, 12, 12, 64)', 0),
                              ('flatten_1', 'Flatten', '(None, 9216)', 0), ('dense_1', 'Dense', '(None, 128)', 1179776),
                              ('dropout_2', 'Dropout', '(None, 128)', 0), ('dense_2', 'Dense', '(None, 10)', 1290)],
    # Course slides: LSTM(32, input_shape=(50, 2)) -> Dense(1); counts from shared/reference/keras-golden.md section 6.6
    # (4*(32*(2+32)+32) = 4480, 32+1 = 33), Keras 2.0.x names lstm_1, dense_1.
    'summary_lstm_slides.txt': [('lstm_1', 'LSTM', '(None, 32)', 4480), ('dense_1', 'Dense', '(None, 1)', 33)],
}
for name, layers in tables.items():
    with open(os.path.join(here, name), 'w', newline='\n') as f:
        f.write(summary(layers))
