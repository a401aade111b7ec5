using System.Buffers;

namespace StreamingAgents.Tests.TestSupport;

/// <summary>An array pool that records what is rented and returned, to prove every buffer goes back.</summary>
internal sealed class CountingArrayPool : ArrayPool<byte>
{
    private readonly HashSet<byte[]> _outstanding = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _lock = new();

    public int RentCount { get; private set; }

    public int LargestRequested { get; private set; }

    public int Outstanding
    {
        get
        {
            lock (_lock)
            {
                return _outstanding.Count;
            }
        }
    }

    public override byte[] Rent(int minimumLength)
    {
        byte[] array = new byte[minimumLength];
        lock (_lock)
        {
            RentCount++;
            LargestRequested = Math.Max(LargestRequested, minimumLength);
            _outstanding.Add(array);
        }

        return array;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        lock (_lock)
        {
            if (!_outstanding.Remove(array))
            {
                throw new InvalidOperationException("An array was returned that was not rented from this pool, or was returned twice.");
            }
        }
    }
}
