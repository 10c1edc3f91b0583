/*
 * Behaviour of the HBnB page (templates/hbnb.html); jQuery is loaded before this file.
 *
 * - #api_status gets the class "available" when GET /api/v1/status answers {"status": "OK"}.
 * - Ticking a state, city or amenity only updates the h4 of its filter with the ticked names;
 *   as in the original, nothing is searched until the Search button (#search) is clicked.
 * - #search POSTs the ticked ids {states, cities, amenities} to /api/v1/places_search and
 *   redraws the places as articles; on load the page runs one search with nothing ticked,
 *   which lists every place (a page at a time, below).
 * - Places come a page (PAGE_SIZE) at a time: while the API's answer names a next page (its
 *   X-Next-Page header), the #more_places button under the list shows, and clicking it, or
 *   scrolling it into view, appends the next page of the same search (the same body, with
 *   `after` set to that cursor). So a visitor's cost grows with what they look at, not with
 *   the number of places in the database.
 *
 * Every URL is relative to the site root (same origin), so the page works behind any proxy.
 * Place fields are inserted with .text(), never as HTML: they are user input.
 */
$(function () {
  'use strict';

  // Ticked boxes per filter, as {id: name}, in the order they were ticked.
  const ticked = { states: {}, cities: {}, amenities: {} };
  // Places a request asks for: several screens of cards, about 15 KB of JSON.
  const PAGE_SIZE = 30;
  // Only the answer to the latest search is drawn, whatever order the answers arrive in.
  let latestSearch = 0;
  // The latest search's filters and the cursor of its next page (null: none, or loading).
  let shownFilters = null;
  let nextPage = null;
  const $more = $('#more_places');

  function showTicked ($filter, names) {
    // A non-breaking space keeps the h4 one line high when nothing is ticked.
    $filter.find('h4').text(names.length ? names.join(', ') : '\u00a0');
  }

  $('.filters input[type="checkbox"]').on('change', function () {
    const $box = $(this);
    const selection = ticked[$box.attr('data-filter')];
    if ($box.is(':checked')) {
      selection[$box.attr('data-id')] = $box.attr('data-name');
    } else {
      delete selection[$box.attr('data-id')];
    }
    // States and cities share the locations filter and its h4.
    if ($box.attr('data-filter') === 'amenities') {
      showTicked($('.filters .amenities'), Object.values(ticked.amenities));
    } else {
      showTicked($('.filters .locations'),
        Object.values(ticked.states).concat(Object.values(ticked.cities)));
    }
  });

  function plural (count, word) {
    return count + ' ' + word + (count === 1 ? '' : 's');
  }

  function placeArticle (place) {
    const $title = $('<div class="title_box">').append(
      $('<h2>').text(place.name),
      $('<div class="price_by_night">').text('$' + place.price_by_night)
    );
    const $information = $('<div class="information">').append(
      $('<div class="max_guest">').text(plural(place.max_guest, 'Guest')),
      $('<div class="number_rooms">').text(plural(place.number_rooms, 'Bedroom')),
      $('<div class="number_bathrooms">').text(plural(place.number_bathrooms, 'Bathroom'))
    );
    const $description = $('<div class="description">').text(place.description || '');
    return $('<article>').attr('data-id', place.id).append($title, $information, $description);
  }

  // One page of the search `filters`: the first (after null) or the one after a cursor.
  function askPage (filters, after) {
    return $.ajax({
      url: '/api/v1/places_search',
      type: 'POST',
      contentType: 'application/json',
      dataType: 'json',
      data: JSON.stringify($.extend({ limit: PAGE_SIZE, after: after }, filters))
    });
  }

  // The More button shows while there is a next page; it says so while one loads.
  function offerMore (cursor) {
    nextPage = cursor;
    $more.prop('hidden', cursor === null).prop('disabled', false).text('More places');
  }

  // The next page comes by itself when the visitor scrolls down to the button.
  const moreInView = 'IntersectionObserver' in window
    ? new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        loadMore();
      }
    })
    : null;

  // After a page is drawn: an observer reports only changes, so it is asked afresh (it then
  // reports where the button is now); a button still in view (a tall window) loads the next
  // page too, until the window is full. Not after a failure: that would retry at once.
  function watchMore () {
    if (moreInView) {
      moreInView.unobserve($more[0]);
      moreInView.observe($more[0]);
    }
  }

  function search () {
    const searchNumber = ++latestSearch;
    const filters = {
      states: Object.keys(ticked.states),
      cities: Object.keys(ticked.cities),
      amenities: Object.keys(ticked.amenities)
    };
    offerMore(null);
    $('#places_message').text('Loading places\u2026');
    askPage(filters, null).done(function (places, _status, xhr) {
      if (searchNumber === latestSearch) {
        shownFilters = filters;
        $('#places_list').empty().append(places.map(placeArticle));
        $('#places_message').text(places.length ? '' : 'No place matches these filters.');
        offerMore(xhr.getResponseHeader('X-Next-Page'));
        watchMore();
      }
    }).fail(function () {
      if (searchNumber === latestSearch) {
        $('#places_list').empty();
        $('#places_message').text('The places could not be loaded; try again later.');
      }
    });
  }

  function loadMore () {
    if (nextPage === null) {
      return; // No next page, or it is loading already.
    }
    const searchNumber = latestSearch;
    const after = nextPage;
    nextPage = null;
    $more.prop('disabled', true).text('Loading more places\u2026');
    askPage(shownFilters, after).done(function (places, _status, xhr) {
      if (searchNumber === latestSearch) {
        $('#places_list').append(places.map(placeArticle));
        offerMore(xhr.getResponseHeader('X-Next-Page'));
        watchMore();
      }
    }).fail(function () {
      if (searchNumber === latestSearch) {
        // The same page may be asked again.
        offerMore(after);
        $more.text('More places (the last try failed)');
      }
    });
  }

  $('#search').on('click', search);
  $more.on('click', loadMore);

  $.getJSON('/api/v1/status').done(function (data) {
    $('#api_status').toggleClass('available', data.status === 'OK');
  }).fail(function () {
    $('#api_status').removeClass('available');
  });

  search();
});
