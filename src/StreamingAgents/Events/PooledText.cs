using System.Buffers;

namespace StreamingAgents.Events;

/// <summary>
/// Text appended piece by piece into one buffer rented from <see cref="ArrayPool{T}.Shared"/>. A long answer kept in a
/// <see cref="System.Text.StringBuilder"/> leaves a chunk per few pieces that lives as long as the answer, so collections
/// copy it into older generations; this allocates nothing per piece once the pool has a buffer of the answer's size.
/// Call <see cref="Release"/> once no more text comes: the buffer goes back to the pool and the text stays readable.
/// </summary>
/// <remarks>A mutable struct: keep it in a field that is not <see langword="readonly"/> and never copy it.</remarks>
internal struct PooledText
{
    private const int FirstRent = 256;

    private char[] _buffer;
    private int _length;
    private string? _released;

    public PooledText(string initial)
    {
        _buffer = [];
        _length = 0;
        _released = null;
        Append(initial);
    }

    public void Append(string? text)
    {
        if (text is null)
        {
            return; // as StringBuilder did: a delta a caller built without its text adds nothing
        }

        if (text.Length > _buffer.Length - _length)
        {
            Grow(text.Length);
        }

        text.CopyTo(_buffer.AsSpan(_length));
        _length += text.Length;
    }

    /// <summary>Keeps the text as a string and returns the buffer; later calls and <see cref="ToString"/> return that string.</summary>
    public string Release()
    {
        if (_released is null)
        {
            _released = ToString();
            if (_buffer.Length > 0)
            {
                ArrayPool<char>.Shared.Return(_buffer);
            }

            _buffer = [];
            _length = 0;
        }

        return _released;
    }

    public override readonly string ToString() => _released ?? new string(_buffer, 0, _length);

    private void Grow(int needed)
    {
        if (_released is not null)
        {
            throw new InvalidOperationException("The text was released; nothing can be appended to it.");
        }

        long wanted = Math.Max((long)_length + needed, Math.Max(FirstRent, 2L * _buffer.Length));
        if ((long)_length + needed > Array.MaxLength)
        {
            throw new InsufficientMemoryException($"A text block cannot grow past {Array.MaxLength} characters.");
        }

        char[] larger = ArrayPool<char>.Shared.Rent((int)Math.Min(wanted, Array.MaxLength));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        if (_buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }
}
