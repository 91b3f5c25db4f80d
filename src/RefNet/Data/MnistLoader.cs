// MNIST / Fashion-MNIST loader: the four IDX files of a directory → (N, 784) pixels in [0, 1] and one-hot labels.
// Scaling follows Keras' mnist_mlp.py exactly: x.astype('float32') / 255.
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Data;

/// <summary>Loads MNIST-format datasets (MNIST, Fashion-MNIST) from a directory of IDX files.</summary>
/// <remarks>
/// The directory holds <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>
/// and <c>t10k-labels-idx1-ubyte</c>, each raw or with a <c>.gz</c> suffix (gzip is detected by its magic bytes).
/// Keras equivalent: <c>(x, y), (xt, yt) = mnist.load_data()</c>, <c>x.reshape(60000, 784).astype('float32') / 255</c>,
/// <c>keras.utils.to_categorical(y, 10)</c>.
/// </remarks>
public static class MnistLoader
{
    /// <summary>Number of classes (digits 0–9, or the 10 Fashion-MNIST garment classes).</summary>
    public const int Classes = 10;

    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs Fashion-MNIST.</summary>
    public const string FashionMnistDebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The four file stems, in the order train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> FileStems { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>True when all four files (raw or .gz) are present in <paramref name="directory"/>.</summary>
    public static bool Exists(string directory) => FileStems.All(stem => FindFile(directory, stem) is not null);

    /// <summary>Loads the training and test sets.</summary>
    /// <typeparam name="T">float (Keras' float32) or double.</typeparam>
    /// <param name="directory">Directory with the four IDX files.</param>
    /// <param name="limit">Keep only the first <paramref name="limit"/> training samples (null = all).</param>
    /// <param name="testLimit">Keep only the first <paramref name="testLimit"/> test samples (null = all).</param>
    /// <returns>x of shape (N, rows·cols) scaled by 1/255, y one-hot (N, 10), and the labels.</returns>
    /// <exception cref="FileNotFoundException">A file is missing (the message lists what was looked for).</exception>
    /// <exception cref="DataFormatException">A file is malformed, or images and labels disagree in count.</exception>
    public static TrainTest<T> Load<T>(string directory, int? limit = null, int? testLimit = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(directory);
        Dataset<T> train = LoadPair<T>(directory, "train", limit);
        Dataset<T> test = LoadPair<T>(directory, "t10k", testLimit);
        return new TrainTest<T>(train, test);
    }

    /// <summary>Loads one images/labels pair, e.g. prefix "train" or "t10k".</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="directory">Directory with the IDX files.</param>
    /// <param name="prefix">"train" or "t10k".</param>
    /// <param name="limit">Keep only the first <paramref name="limit"/> samples (null = all).</param>
    public static Dataset<T> LoadPair<T>(string directory, string prefix, int? limit = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (limit is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), $"limit must be positive (got {limit})");
        }
        string imagesPath = RequireFile(directory, $"{prefix}-images-idx3-ubyte");
        string labelsPath = RequireFile(directory, $"{prefix}-labels-idx1-ubyte");
        IdxImages images = Idx.ReadImages(imagesPath);
        byte[] labels = Idx.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
        {
            throw new DataFormatException(labelsPath, 4, $"{labels.Length} labels but {imagesPath} holds {images.Count} images");
        }
        int n = Math.Min(images.Count, limit ?? int.MaxValue);
        int[] kept = new int[n];
        for (int i = 0; i < n; i++)
        {
            kept[i] = labels[i];
            if (kept[i] >= Classes)
            {
                throw new DataFormatException(labelsPath, 8 + i, $"label {kept[i]} is not a class index 0..{Classes - 1}");
            }
        }
        Tensor<T> x = ScalePixels<T>(images.Pixels.AsSpan(0, n * images.PixelsPerImage), n, images.PixelsPerImage);
        Tensor<T> y = Preprocessing.ToCategorical<T>(kept, Classes);
        return new Dataset<T>(x, y, kept);
    }

    /// <summary>Bytes → (n, pixelsPerImage) tensor of value/255, rounded once in <typeparamref name="T"/> (Keras: <c>astype('float32') / 255</c>).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="pixels">n·pixelsPerImage bytes.</param>
    /// <param name="n">Number of images.</param>
    /// <param name="pixelsPerImage">Columns of the result.</param>
    public static Tensor<T> ScalePixels<T>(ReadOnlySpan<byte> pixels, int n, int pixelsPerImage)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // A 256-entry table: each value is the correctly rounded quotient b/255 in T, as numpy computes it.
        var table = new T[256];
        T divisor = T.CreateChecked(255);
        for (int b = 0; b < 256; b++)
        {
            table[b] = T.CreateChecked(b) / divisor;
        }
        var x = new Tensor<T>(n, pixelsPerImage);
        Span<T> data = x.Span;
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = table[pixels[i]];
        }
        return x;
    }

    /// <summary>The path of <paramref name="stem"/> or <paramref name="stem"/>.gz in <paramref name="directory"/>, or null.</summary>
    public static string? FindFile(string directory, string stem)
    {
        foreach (string name in new[] { stem, stem + ".gz" })
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    private static string RequireFile(string directory, string stem) =>
        FindFile(directory, stem) ?? throw new FileNotFoundException(
            $"{Path.Combine(directory, stem)} (or .gz) not found; expected the four MNIST-format IDX files in {directory}",
            Path.Combine(directory, stem));
}
